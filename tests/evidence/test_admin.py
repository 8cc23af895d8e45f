"""Evidence uploaded and changed through the Django admin: the same services and checks as the
upload page and the API (type by content, the size cap while the body streams in, write access
to a record), refusals as field errors on the admin form with nothing left in storage, a new
version of the file keeping the earlier one, every change in the history from the admin channel."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import Evidence, EvidenceLink
from evidence.services.evidence import evidence_create
from tests.conftest import page_client
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories.risks import AISystemFactory

pytestmark = pytest.mark.django_db

ADD = "admin:evidence_evidence_add"


def admin_form(response):
    return response.context["adminform"].form


def test_admin_uploads_through_the_service(governance, risk, evidence_files):
    client = page_client(governance)
    page = client.get(reverse(ADD)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="upload"' in page and 'name="risks"' in page
    data = samples.pdf("admin upload")
    response = client.post(
        reverse(ADD),
        {"title": "DPIA, scoring", "kind": "dpia", "risks": [risk.pk], "upload": samples.upload("../DPIA.pdf", data)},
    )
    assert response.status_code == 302, admin_form(response).errors
    evidence = Evidence.objects.get()
    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.original_name, evidence.sha256, evidence.content_type) == ("DPIA.pdf", digest, "application/pdf")
    assert stored_files(evidence_files) == [evidence_files / "evidence" / digest[:2] / digest]
    assert evidence.uploaded_by.user == governance
    assert list(EvidenceLink.objects.to(risk).values_list("evidence_id", flat=True)) == [evidence.pk]
    row = evidence.history.get()
    assert (row.history_user, row.history_channel) == (governance, "admin")
    change = client.get(reverse("admin:evidence_evidence_change", args=[evidence.pk])).content.decode()
    assert evidence.get_download_url() in change


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.md", samples.HTML, "HTML page"),
        ("macro.docx", samples.office("docx", macros=True), "macros"),
        ("chart.pdf", samples.png(), "but its name ends in “.pdf”"),
    ],
    ids=("html", "macros", "mismatch"),
)
def test_admin_refusals_are_field_errors_and_leave_nothing(governance, risk, evidence_files, name, data, message):
    response = page_client(governance).post(
        reverse(ADD), {"title": "Kept", "kind": "dpia", "risks": [risk.pk], "upload": samples.upload(name, data)}
    )
    assert response.status_code == 200
    assert message in " ".join(admin_form(response).errors["upload"])
    assert admin_form(response)["title"].value() == "Kept"
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_admin_upload_over_the_cap_and_without_a_record(governance, risk, evidence_files, settings):
    settings.EVIDENCE_MAX_MB = 0.01
    client = page_client(governance)
    response = client.post(
        reverse(ADD),
        {"title": "Big", "kind": "dpia", "risks": [risk.pk], "upload": samples.upload("big.txt", b"a" * 20_000)},
    )
    assert admin_form(response).errors["upload"] == ["The file is larger than the limit of 0.01 MB."]
    response = client.post(reverse(ADD), {"title": "T", "kind": "dpia", "upload": samples.upload("a.txt", b"text")})
    assert "at least one record" in " ".join(admin_form(response).non_field_errors())
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_admin_upload_keeps_the_csrf_check(governance, risk, evidence_files):
    client = Client(enforce_csrf_checks=True)
    client.force_login(governance)
    response = client.post(
        reverse(ADD), {"title": "T", "kind": "dpia", "risks": [risk.pk], "upload": samples.upload("a.txt", b"text")}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_admin_change_edits_links_and_adds_a_file_version(governance, risk, evidence_files):
    first = samples.pdf("first")
    evidence = evidence_create(
        by=governance,
        data={"title": "Audit", "kind": "bias_audit", "risks": [risk]},
        upload=samples.upload("a.pdf", first),
    )
    system = AISystemFactory()
    url = reverse("admin:evidence_evidence_change", args=[evidence.pk])
    client = page_client(governance)
    form = admin_form(client.get(url))
    assert form.initial["risks"] == [risk.pk]
    second = samples.pdf("second")
    post = {
        "title": "Audit, renewed",
        "kind": "bias_audit",
        "risks": [risk.pk],
        "ai_systems": [system.pk],
        "loaded_version": evidence.version,
        "upload": samples.upload("b.pdf", second),
        "links-TOTAL_FORMS": 1,
        "links-INITIAL_FORMS": 1,
        "links-MIN_NUM_FORMS": 0,
        "links-MAX_NUM_FORMS": 1000,
        "links-0-id": evidence.links.get().pk,
        "links-0-evidence": evidence.pk,
    }
    response = client.post(url, post)
    assert response.status_code == 302, admin_form(response).errors
    evidence.refresh_from_db()
    assert (evidence.title, evidence.original_name) == ("Audit, renewed", "b.pdf")
    assert evidence.sha256 == hashlib.sha256(second).hexdigest()
    assert set(evidence.history.values_list("sha256", flat=True)) == {
        hashlib.sha256(d).hexdigest() for d in (first, second)
    }
    assert {row.history_channel for row in evidence.history.all()[:2]} == {"admin"}
    assert list(EvidenceLink.objects.to(system).values_list("evidence_id", flat=True)) == [evidence.pk]
    assert len(stored_files(evidence_files)) == 2  # the earlier file stays

    # A refused new version is a field error; the record and storage are left as they were.
    post.update(loaded_version=evidence.version, upload=samples.upload("c.pdf", samples.ELF))
    response = client.post(url, post)
    assert "executable program" in " ".join(admin_form(response).errors["upload"])
    evidence.refresh_from_db()
    assert evidence.original_name == "b.pdf" and len(stored_files(evidence_files)) == 2


def test_the_auditor_may_not_upload_in_the_admin(auditor):
    auditor.is_staff = True
    auditor.save()
    assert page_client(auditor).get(reverse(ADD)).status_code == 403
