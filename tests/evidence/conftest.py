import pytest

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
