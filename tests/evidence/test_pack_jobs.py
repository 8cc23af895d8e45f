"""Evidence packs built in the background: a selection over EVIDENCE_PACK_INLINE_MB is offered as a
background build (GET changes nothing), the button queues a job a real Celery worker
(`celery -A vpportal worker`, Redis) builds with the asker's visibility while its page shows the
progress, then the page offers the ZIP (index.csv and the files). Only the asker sees the job; a
finished job is never built again; evidence the asker no longer sees stays out; a broker that
cannot be reached fails the job visibly; old jobs go with their ZIP."""

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence import jobs, storage
from evidence.models import EvidencePackJob
from evidence.services.evidence import evidence_create
from tests.conftest import page_client
from tests.evidence import samples
from tests.factories.policies import FrameworkFactory, RequirementFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from tests.workers import broker_unreachable


def make(by, name, data, **links):
    return evidence_create(
        by=by, data={"title": f"Evidence {name}", "kind": "test_report", **links}, upload=samples.upload(name, data)
    )


def index_of(content: bytes):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("pack-media")


@pytest.fixture(scope="module")
def pack_worker(django_db_setup, django_db_blocker, tmp_path_factory, media):
    """A real worker whose evidence storage is the folder this module's tests store in."""
    from tests.conftest import _drop_test_queue
    from tests.workers import Worker

    worker = Worker(tmp_path_factory.mktemp("celery") / "worker.log", MEDIA_ROOT=str(media)).start()
    yield worker
    worker.stop()
    _drop_test_queue()


@pytest.fixture
def shared_storage(settings, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
    }
    settings.EVIDENCE_PACK_INLINE_MB = 0.001  # about 1 KB: every pack below is "large"
    return media


@pytest.mark.django_db(transaction=True)
def test_a_large_pack_is_built_by_the_worker_and_downloaded(pack_worker, shared_storage, executive, leader):
    from tests.workers import wait_for

    system = AISystemFactory()
    first = make(executive, "first.txt", b"a" * 1500, ai_systems=[system])
    second = make(executive, "second.pdf", samples.pdf("second"), ai_systems=[system])
    make(executive, "elsewhere.txt", b"not in this pack", risks=[RiskFactory()])
    url = reverse("evidence:evidence_pack") + f"?attached_to=ai_systems:{system.pk}"
    client = page_client(executive)

    offer = client.get(url)
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    body = offer.content.decode()
    assert "2 files" in body and "Build the pack in the background" in body
    assert not EvidencePackJob.objects.exists()  # a GET builds nothing

    response = client.post(url)
    job = EvidencePackJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.requested_by, job.evidence_ids, job.name) == (
        executive,
        [first.pk, second.pk],
        f"evidence-pack-ai_systems-{system.pk}",
    )
    waiting = client.get(job.get_absolute_url()).content.decode()
    # The worker may finish first on an idle machine; a job still unfinished after the page was
    # drawn was unfinished while it was drawn, so that page must refresh itself.
    if EvidencePackJob.objects.filter(pk=job.pk, status__in=("queued", "running")).exists():
        assert 'http-equiv="refresh"' in waiting

    done = wait_for(lambda: EvidencePackJob.objects.filter(pk=job.pk, status="done").exists(), timeout=120)
    assert done, pack_worker.log_path.read_text()[-3000:]
    page = client.get(job.get_absolute_url()).content.decode()
    download_url = reverse("evidence:pack_job_download", args=[job.pk])
    assert 'http-equiv="refresh"' not in page and download_url in page
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment") and job.name in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    archive, rows = index_of(b"".join(download.streaming_content))
    assert [(r["id"], r["sha256"]) for r in rows] == [(str(e.pk), e.sha256) for e in (first, second)]
    assert archive.read(rows[0]["file"]) == b"a" * 1500
    job.refresh_from_db()
    assert (job.progress, job.file_count, job.finished_at is not None) == (100, 2, True)
    assert (shared_storage / job.stored_name).is_file()

    other = page_client(leader)  # another person's job holds the asker's visibility: not found
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(download_url).status_code == 404


@pytest.mark.django_db
def test_the_framework_pack_is_offered_in_the_background_when_large(shared_storage, auditor, executive):
    requirement = RequirementFactory(framework=FrameworkFactory(code="EU-AIA"))
    evidence = make(executive, "log.txt", b"b" * 2000, requirements=[requirement], risks=[RiskFactory()])
    url = reverse("governance:framework_evidence_pack", args=[requirement.framework_id])
    client = page_client(auditor)
    assert "Build the pack in the background" in client.get(url).content.decode()
    response = client.post(url)
    job = EvidencePackJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.requested_by, job.evidence_ids, job.name) == (auditor, [evidence.pk], "evidence-pack-eu-aia")


@pytest.mark.django_db
def test_building_rereads_visibility_and_a_finished_job_is_left_alone(evidence_files, executive, contributor):
    from tests.factories.team import MentorshipFactory

    risk_evidence = make(executive, "r.txt", b"risk evidence", risks=[RiskFactory()])
    hidden = make(executive, "m.txt", b"mentoring", ai_systems=[AISystemFactory()])
    job = EvidencePackJob.objects.create(
        requested_by=contributor, name="pack", evidence_ids=[risk_evidence.pk, hidden.pk, 999_999]
    )
    # The contributor loses sight of `hidden`: it is now attached only to a mentorship they are not in.
    from evidence import registry
    from evidence.models import EvidenceLink
    from initiatives.models import Mentorship

    registry.accepts_evidence("mentorships")(Mentorship)
    try:
        EvidenceLink.objects.filter(evidence=hidden).delete()
        EvidenceLink.objects.create(
            evidence=hidden,
            content_type_id=registry.content_type_ids()["mentorships"],
            object_id=MentorshipFactory().pk,
        )
        assert jobs.build_job(job.pk) is True
    finally:
        registry._REGISTRY.pop("mentorships")
    job.refresh_from_db()
    assert (job.status, job.file_count) == ("done", 1)
    with storage.open_stored(job.stored_name) as stored:
        _, rows = index_of(stored.read())
    assert [r["id"] for r in rows] == [str(risk_evidence.pk)]
    assert jobs.build_job(job.pk) is False  # handed out again: left as it is
    assert page_client(contributor).get(reverse("evidence:pack_job_download", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_a_missing_file_fails_the_job_and_an_unfinished_job_has_no_download(evidence_files, executive):
    evidence = make(executive, "gone.txt", b"soon gone", risks=[RiskFactory()])
    job = EvidencePackJob.objects.create(requested_by=executive, name="pack", evidence_ids=[evidence.pk])
    client = page_client(executive)
    assert client.get(reverse("evidence:pack_job_download", args=[job.pk])).status_code == 404
    storage.delete_stored(evidence.file)
    assert jobs.build_job(job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and job.error
    page = client.get(job.get_absolute_url()).content.decode()
    assert "alert-danger" in page and 'http-equiv="refresh"' not in page
    assert client.get(reverse("evidence:pack_job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_the_job_on_its_page(shared_storage, executive):
    system = AISystemFactory()
    make(executive, "big.txt", b"c" * 2000, ai_systems=[system])
    with broker_unreachable():
        response = page_client(executive).post(
            reverse("evidence:evidence_pack") + f"?attached_to=ai_systems:{system.pk}"
        )
    job = EvidencePackJob.objects.get()
    assert job.status == "failed" and job.error == jobs.MSG_NO_WORKER
    assert jobs.MSG_NO_WORKER in page_client(executive).get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_old_jobs_are_pruned_with_their_zip(evidence_files, executive, settings):
    settings.EVIDENCE_PACK_RETENTION_DAYS = 7
    evidence = make(executive, "x.txt", b"kept evidence", risks=[RiskFactory()])
    old, recent = (
        EvidencePackJob.objects.create(requested_by=executive, name="p", evidence_ids=[evidence.pk]) for _ in range(2)
    )
    for job in (old, recent):
        assert jobs.build_job(job.pk)
    old.refresh_from_db()
    EvidencePackJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert jobs.prune_jobs() == 1
    assert list(EvidencePackJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not storage.evidence_storage().exists(old.stored_name)
    assert storage.evidence_storage().exists(evidence.file)  # the evidence itself is untouched


@pytest.mark.django_db
def test_outsiders_may_not_ask_and_small_packs_still_stream(evidence_files, outsider, auditor, executive):
    system = AISystemFactory()
    make(executive, "small.txt", b"small", ai_systems=[system])
    url = reverse("evidence:evidence_pack") + f"?attached_to=ai_systems:{system.pk}"
    assert page_client(outsider).post(url).status_code == 403
    response = page_client(auditor).get(url)
    assert response["Content-Type"] == "application/zip"
    assert not EvidencePackJob.objects.exists()
