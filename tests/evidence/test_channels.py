"""Evidence through pages, API and admin: uploads checked by content and stored under their hash;
who may upload, read and download follows the records it is attached to; bad input gets field
errors and leaves nothing in storage; versions, deletion and retention; pinned query counts."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence import retention, storage
from evidence.models import Evidence, EvidenceLink
from evidence.services.evidence import evidence_create, evidence_delete, evidence_replace_file
from tests.conftest import api_client, page_client
from tests.evidence import samples
from tests.evidence.conftest import post_upload, stored_files
from tests.factories.risks import AISystemFactory, RiskFactory

pytestmark = pytest.mark.django_db


def make(by, record, *, name="report.pdf", data=None, **extra):
    data = data if data is not None else samples.pdf(name)
    fields = {"title": "Bias audit Q3", "kind": "bias_audit", "risks": [record], **extra}
    return evidence_create(by=by, data=fields, upload=samples.upload(name, data))


def test_upload_page_stores_the_file_under_its_hash(governance, risk, evidence_files):
    data = samples.pdf("audit")
    response = post_upload(
        governance, "../x/Audit Q3.pdf", data, title="Bias audit", kind="bias_audit", risks=[risk.pk]
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302 and response["Location"] == evidence.get_absolute_url()
    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.content_type) == (digest, len(data), "application/pdf")
    assert evidence.original_name == "Audit Q3.pdf"
    assert stored_files(evidence_files) == [evidence_files / "evidence" / digest[:2] / digest]
    assert evidence.uploaded_by.user == governance
    assert list(EvidenceLink.objects.to(risk).values_list("evidence_id", flat=True)) == [evidence.pk]
    assert evidence.history.get().history_user == governance


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "The submitted file is empty."),
        ("tool.pdf", samples.ELF, "executable program"),
        ("macro.docx", samples.office("docx", macros=True), "macros"),
        ("chart.pdf", samples.png(), "but its name ends in “.pdf”"),
    ],
    # Named by file: the Office sample carries the time it was built, and ids made of it would differ
    # between xdist workers that collect a second apart.
    ids=lambda value: value if isinstance(value, str) and value.endswith((".pdf", ".docx")) else "",
)
def test_bad_files_are_field_errors_and_leave_nothing(governance, risk, evidence_files, name, data, message):
    response = post_upload(governance, name, data, title="Kept title", kind="dpia", risks=[risk.pk])
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert response.context["form"]["title"].value() == "Kept title"
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_a_file_over_the_cap_is_a_field_error_on_the_page(governance, risk, evidence_files, settings):
    settings.EVIDENCE_MAX_MB = 0.01
    response = post_upload(governance, "big.txt", b"a" * 20_000, title="Big", kind="dpia", risks=[risk.pk])
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is larger than the limit of 0.01 MB."]
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_a_record_is_required_and_must_be_one_the_uploader_may_change(contributor, governance, risk, evidence_files):
    response = post_upload(governance, "a.pdf", samples.pdf(), title="T", kind="dpia")
    assert "at least one record" in " ".join(response.context["form"].non_field_errors())
    # A contributor reads risks but may not change them: no evidence on them.
    response = post_upload(contributor, "a.pdf", samples.pdf(), title="T", kind="dpia", risks=[risk.pk])
    assert "you may change none of these" in " ".join(response.context["form"].non_field_errors())
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_the_auditor_may_not_upload(auditor):
    assert page_client(auditor).get(reverse("evidence:evidence_add")).status_code == 403


def test_download_is_an_attachment_never_rendered(governance, auditor, outsider, risk):
    evidence = make(governance, risk, name="Report “Q3”.pdf")
    for user in (governance, auditor):
        response = page_client(user).get(evidence.get_download_url())
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == storage.open_stored(evidence.file).read()
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Q3" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["Content-Type"] == "application/pdf"
    assert page_client(outsider).get(evidence.get_download_url()).status_code in (403, 404)


def test_readers_follow_the_records_visibility(leader, contributor, mentorships_accept_evidence):
    """A user who does not see the record does not see its evidence: 404 on page and download;
    one who sees it (its participant) reads it."""
    from tests.factories.team import MentorshipFactory

    mentorship = MentorshipFactory()
    evidence = evidence_create(
        by=leader,
        data={"title": "Mentoring plan", "kind": "other", "mentorships": [mentorship]},
        upload=samples.upload("plan.txt", b"Goals"),
    )
    client = page_client(contributor)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    assert client.get(evidence.get_download_url()).status_code == 404
    assert api_client(contributor).get(f"/api/v1/evidence/{evidence.pk}/download/").status_code == 404
    assert api_client(contributor).get("/api/v1/evidence/").json()["count"] == 0
    mentorship.mentee = contributor.person
    mentorship.save()
    assert client.get(evidence.get_download_url()).status_code == 200
    assert page_client(leader).get(evidence.get_absolute_url()).status_code == 200


def test_api_multipart_create_and_read(executive, risk, evidence_files):
    system = AISystemFactory()
    client = api_client(executive)
    response = client.post(
        "/api/v1/evidence/",
        {
            "title": "Model card",
            "kind": "model_card",
            "valid_until": "2030-01-31",
            "risks": [risk.pk],
            "ai_systems": [system.pk],
            "file": samples.upload("card.md", b"# Card\n"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["risks"] == [risk.pk] and body["ai_systems"] == [system.pk] and body["requirements"] == []
    assert body["content_type"] == "text/markdown" and body["size"] == 7 and body["is_current"] is True
    assert body["original_name"] == "card.md" and "file" not in body
    assert body["download_url"].endswith(f"/api/v1/evidence/{body['id']}/download/")
    download = client.get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"# Card\n"
    assert client.get("/api/v1/evidence/", {"attached_to": f"ai_systems:{system.pk}"}).json()["count"] == 1
    assert client.get("/api/v1/evidence/", {"attached_to": "policy_versions"}).json()["count"] == 0
    assert client.get("/api/v1/evidence/", {"attached_to": "nonsense"}).status_code == 400


def test_api_refusals(governance, auditor, risk, evidence_files, settings):
    client = api_client(governance)
    bad = client.post(
        "/api/v1/evidence/",
        {"title": "X", "kind": "dpia", "risks": [risk.pk], "file": samples.upload("a.png", samples.SVG)},
        format="multipart",
    )
    assert bad.status_code == 400 and "SVG image" in bad.json()["file"][0]
    missing = client.post("/api/v1/evidence/", {"title": "X", "kind": "dpia", "risks": [99999]}, format="multipart")
    assert missing.status_code == 400 and set(missing.json()) >= {"file", "risks"}
    assert api_client(auditor).post("/api/v1/evidence/", {"title": "X"}, format="multipart").status_code == 403
    settings.EVIDENCE_MAX_MB = 0.01
    big = client.post(
        "/api/v1/evidence/",
        {"title": "X", "kind": "dpia", "risks": [risk.pk], "file": samples.upload("a.txt", b"a" * 20_000)},
        format="multipart",
    )
    assert big.status_code == 413 and "0.01 MB" in big.json()["detail"]
    declared = client.generic(
        "POST",
        "/api/v1/evidence/",
        b"",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert declared.status_code == 413
    assert not Evidence.objects.exists() and stored_files(evidence_files) == []


def test_metadata_update_version_check_and_history(governance, risk):
    evidence = make(governance, risk)
    client = api_client(governance)
    etag = client.get(f"/api/v1/evidence/{evidence.pk}/")["ETag"]
    ok = client.patch(f"/api/v1/evidence/{evidence.pk}/", {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["title"] == "Renamed"
    stale = client.patch(f"/api/v1/evidence/{evidence.pk}/", {"title": "Lost"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    evidence.refresh_from_db()
    assert evidence.title == "Renamed"
    assert evidence.history.first().history_user == governance


def test_new_versions_keep_the_earlier_file(governance, risk, evidence_files):
    evidence = make(governance, risk, name="v1.pdf", data=samples.pdf("one"))
    first = evidence.sha256
    response = api_client(governance).post(
        f"/api/v1/evidence/{evidence.pk}/file/", {"file": samples.upload("v2.png", samples.png())}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["original_name"] == "v2.png"
    evidence.refresh_from_db()
    assert evidence.sha256 != first and len(stored_files(evidence_files)) == 2
    page = page_client(governance).get(evidence.get_absolute_url())
    names = [v.original_name for v in page.context["versions"]]
    assert names == ["v2.png", "v1.pdf"]
    old = page_client(governance).get(evidence.get_download_url(), {"sha256": first})
    assert old.status_code == 200 and "v1.pdf" in old["Content-Disposition"]
    assert page_client(governance).get(evidence.get_download_url(), {"sha256": "0" * 64}).status_code == 404


def test_delete_keeps_files_until_retention(governance, risk, evidence_files, settings):
    settings.EVIDENCE_RETENTION_DAYS = 30
    evidence = make(governance, risk)
    shared = make(governance, RiskFactory(), data=storage.open_stored(evidence.file).read())  # same bytes
    evidence_delete(evidence, by=governance)
    assert len(stored_files(evidence_files)) == 1
    later = timezone.now() + datetime.timedelta(days=31)
    assert retention.purge(later) == []  # the other record still holds the same file
    evidence_delete(shared, by=governance)
    assert retention.purge(timezone.now()) == []  # within retention
    assert retention.purge(later) == [shared.file]
    assert stored_files(evidence_files) == []


def test_deleting_a_record_drops_its_links(executive, risk):
    system = AISystemFactory()
    evidence = make(executive, risk, ai_systems=[system])
    risk.delete()
    assert list(evidence.links.values_list("object_id", flat=True)) == [system.pk]


def test_risk_page_shows_its_evidence(governance, contributor, risk):
    evidence = make(governance, risk)
    page = page_client(governance).get(risk.get_absolute_url()).content.decode()
    assert evidence.get_download_url() in page and "Upload evidence" in page
    page = page_client(contributor).get(risk.get_absolute_url()).content.decode()
    assert evidence.get_download_url() in page and "Upload evidence" not in page


def test_list_filters(governance, risk):
    old = make(governance, risk, title="Old DPIA", kind="dpia", valid_until=datetime.date(2020, 1, 1))
    make(governance, risk, title="Card", kind="model_card", name="c.txt", data=b"text")
    client = page_client(governance)
    titles = lambda **q: [e.title for e in client.get(reverse("evidence:evidence_list"), q).context["object_list"]]  # noqa: E731
    assert titles(kind="dpia") == ["Old DPIA"]
    assert titles(expiring_before="2021-01-01") == ["Old DPIA"]
    assert titles(current="false") == [old.title]
    assert sorted(titles(attached_to=f"risks:{risk.pk}")) == ["Card", "Old DPIA"]


def grow(by, n):
    for i in range(n):
        make(by, RiskFactory(), name=f"{i}.txt", data=f"file {i}".encode())


# session, user, roles, count, page, uploaded-by choices; API: token+user, roles, count, page, links
# The page: + the user's and the groups' permissions (read once per request) for the navigation's
# permission-gated entries (Import, Webhooks), added by merged branches.
PAGE_QUERIES, API_QUERIES = 8, 5


def test_list_page_and_api_run_constant_queries(governance, django_assert_num_queries):
    client, api = page_client(governance), api_client(governance)
    grow(governance, 2)
    client.get(reverse("evidence:evidence_list"))
    api.get("/api/v1/evidence/")
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("evidence:evidence_list"))
    with django_assert_num_queries(API_QUERIES):
        api.get("/api/v1/evidence/")
    grow(governance, 10)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("evidence:evidence_list"))
    with django_assert_num_queries(API_QUERIES):
        api.get("/api/v1/evidence/")


def test_replace_through_the_service_refuses_a_stale_version(governance, risk):
    from vpportal.core.services import ConflictError

    evidence = make(governance, risk)
    with pytest.raises(ConflictError):
        evidence_replace_file(evidence, by=governance, upload=samples.upload("b.png", samples.png()), version=99)


def test_evidence_packs_hold_the_index_and_the_files(executive, auditor, outsider):
    import csv
    import io
    import zipfile

    from tests.factories.policies import FrameworkFactory, RequirementFactory

    system = AISystemFactory()
    requirement = RequirementFactory(framework=FrameworkFactory(code="NIST-X"))
    card = make(executive, None, risks=[], ai_systems=[system], requirements=[requirement], name="card.md", data=b"# C")
    make(executive, RiskFactory(), name="other.txt", data=b"not in the pack")
    for url in (
        reverse("evidence:evidence_pack") + f"?attached_to=ai_systems:{system.pk}",
        reverse("governance:framework_evidence_pack", args=[requirement.framework_id]),
    ):
        response = page_client(auditor).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
        assert [(r["id"], r["sha256"], r["current"]) for r in rows] == [(str(card.pk), card.sha256, "yes")]
        assert f"ai_systems:{system.pk}" in rows[0]["attached_to"]
        assert archive.read(rows[0]["file"]) == b"# C"
    assert page_client(outsider).get(reverse("evidence:evidence_pack")).status_code == 403
