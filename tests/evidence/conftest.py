import pytest
from django.urls import reverse

from tests.conftest import page_client
from tests.evidence import samples
from tests.factories.risks import RiskFactory


@pytest.fixture(autouse=True)
def evidence_files(settings, tmp_path):
    """Every evidence test stores its files in its own folder (the file-system storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def post_upload(user, name: str, data: bytes, **fields):
    """The upload page's POST by `user` of the file `name` holding `data`, with the form's `fields`
    (title, kind, the records it is attached to)."""
    return page_client(user).post(reverse("evidence:evidence_add"), {**fields, "file": samples.upload(name, data)})


@pytest.fixture
def risk(db):
    return RiskFactory()


@pytest.fixture
def mentorships_accept_evidence():
    """A kind declared attachable the way a new app does it (one decorator), whose own visibility
    rule is narrower: a contributor sees only the mentorships they take part in."""
    from evidence import registry
    from initiatives.models import Mentorship

    registry.accepts_evidence("mentorships")(Mentorship)
    yield
    registry._REGISTRY.pop("mentorships")
