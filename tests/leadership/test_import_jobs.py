"""Large imports on a real Celery worker: a file above IMPORT_BACKGROUND_ROWS becomes a job; the worker
previews it with the same run_import as the page (row errors per row, nothing written), the asker
confirms, the worker imports it all or nothing. Only the asker sees the job; a job handed out again
is not imported twice; small files keep the immediate preview."""

import io

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from leadership.imports.jobs import confirm_import, run_job
from leadership.imports.tables import csv_bytes
from leadership.models import ImportJob
from tests.conftest import page_client
from tests.factories.people import PersonFactory, UserFactory
from tests.workers import wait_for
from vpportal.events.models import Event

COLUMNS = ["title", "owner_email"]


def _upload(client, rows, kind="initiatives"):
    upload = io.BytesIO(csv_bytes(COLUMNS, rows))
    upload.name = "initiatives.csv"
    return client.post(reverse("import_data"), {"kind": kind, "file": upload})


@pytest.mark.django_db(transaction=True)
def test_the_worker_previews_then_imports_a_large_file_and_the_page_follows_it(celery_worker, executive, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    PersonFactory(email="owner@example.com")
    client = page_client(executive)
    response = _upload(client, [[f"Large {i}", "owner@example.com"] for i in range(3)])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_job", args=[job.pk])
    assert (job.requested_by, job.kind, job.row_count, job.phase) == (executive, "initiatives", 3, "preview")

    checked = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="done").exists(), timeout=60)
    assert checked, celery_worker.log_path.read_text()[-3000:]
    assert not Initiative.objects.exists()  # a preview writes nothing
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "3 to create" in page and "Import 3 rows" in page

    confirmed = client.post(reverse("import_job_confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    imported = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, phase="import", status="done").exists())
    assert imported, celery_worker.log_path.read_text()[-3000:]
    assert sorted(Initiative.objects.values_list("title", flat=True)) == ["Large 0", "Large 1", "Large 2"]
    first = Initiative.objects.get(title="Large 0")
    assert first.created_by == executive  # the asker's import, not the worker's
    assert first.history.get().history_channel == "web"  # uploaded on the page, imported by the worker
    events = Event.objects.filter(object_type="initiatives.initiative", type="initiative.created")
    assert sorted(events.values_list("channel", "actor_id")) == [("web", executive.pk)] * 3
    page = client.get(response["Location"]).content.decode()
    assert "3 created, 0 updated, 0 unchanged" in page and "Import 3 rows" not in page
    job.refresh_from_db()
    assert job.content is None and job.report["written"] is True
    assert celery_worker.wait_idle()  # the import's events start a fan-out on the worker


@pytest.mark.django_db
def test_row_errors_of_a_large_file_are_shown_per_row_and_it_cannot_be_confirmed(executive, settings):
    settings.IMPORT_BACKGROUND_ROWS = 1
    PersonFactory(email="owner@example.com")
    client = page_client(executive)
    response = _upload(client, [["Fine", "owner@example.com"], ["Orphan", "ghost@example.com"]])
    job = ImportJob.objects.get()
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "Queued" in waiting  # the page follows the job
    assert run_job(job.pk) is True  # the worker's part (the queueing waits for a commit this test never makes)
    page = client.get(response["Location"]).content.decode()
    assert "1 to create" in page and "1 with errors" in page and "Nothing was written" in page
    assert "<td>3</td><td><code>owner_email</code></td>" in page  # the file's row 3, its column
    assert "Import 2 rows" not in page
    client.post(reverse("import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.phase == "preview" and not Initiative.objects.exists()


@pytest.mark.django_db
def test_an_import_that_fails_on_its_last_row_writes_nothing_and_a_done_one_is_not_imported_again(executive):
    PersonFactory(email="owner@example.com")
    rows = [["First", "owner@example.com"], ["Second", "owner@example.com"], ["Orphan", "ghost@example.com"]]
    # Confirmed after a clean preview, then the file's last owner is gone: the import itself refuses.
    job = ImportJob.objects.create(
        requested_by=executive, kind="initiatives", filename="i.csv", content=csv_bytes(COLUMNS, rows), phase="import"
    )
    assert run_job(job.pk) is True
    job.refresh_from_db()
    assert not Initiative.objects.exists()
    assert job.report["written"] is False and [e["line"] for e in job.report["errors"]] == [4]
    assert "Not imported" in page_client(executive).get(reverse("import_job", args=[job.pk])).content.decode()

    good = ImportJob.objects.create(
        requested_by=executive,
        kind="initiatives",
        filename="i.csv",
        content=csv_bytes(COLUMNS, rows[:2]),
        phase="import",
    )
    assert run_job(good.pk) is True and Initiative.objects.count() == 2
    assert run_job(good.pk) is False  # handed out again: left as it is
    assert Initiative.objects.count() == 2
    assert confirm_import(good) is False  # an import is confirmed once


@pytest.mark.django_db
def test_only_the_asker_sees_an_import_job_and_only_importers_reach_it(executive, personas):
    job = ImportJob.objects.create(requested_by=executive, kind="people", filename="p.csv", content=b"email\n")
    other = UserFactory(roles=["executive"])
    assert page_client(other).get(reverse("import_job", args=[job.pk])).status_code == 404
    assert page_client(other).post(reverse("import_job_confirm", args=[job.pk])).status_code == 404
    assert page_client(personas["leader"]).get(reverse("import_job", args=[job.pk])).status_code == 403
    assert page_client(executive).get(reverse("import_job", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_a_file_at_the_threshold_keeps_the_immediate_preview(executive, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2
    PersonFactory(email="owner@example.com")
    response = _upload(page_client(executive), [["A", "owner@example.com"], ["B", "owner@example.com"]])
    assert response.status_code == 200 and "2 to create" in response.content.decode()
    assert not ImportJob.objects.exists()
