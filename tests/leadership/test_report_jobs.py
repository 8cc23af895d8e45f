"""The executive-report PDF on a real Celery worker (`celery -A vpportal worker`, Redis): the report
page's button queues a job, the worker renders it with the asker's visibility while its page shows
the progress, then the page offers the PDF. Only the asker sees the job; a finished job is never
rendered again (a job handed out twice renders once); a broker that cannot be reached fails the job
visibly."""

import pytest
from django.urls import reverse

from leadership.models import ReportJob
from leadership.reports.jobs import MSG_NO_WORKER, render_job
from tests.conftest import page_client
from tests.workers import broker_unreachable, wait_for


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_pdf_and_the_page_follows_it(celery_worker, executive, leader):
    client = page_client(executive)
    assert 'action="{}"'.format(reverse("report_job_add")) in client.get(reverse("report")).content.decode()
    response = client.post(reverse("report_job_add"))
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("report_job", args=[job.pk])
    assert job.requested_by == executive
    page = client.get(response["Location"])
    assert page.status_code == 200
    if ReportJob.objects.filter(pk=job.pk).exclude(status__in=("done", "failed")).exists():
        # still unfinished after the page was drawn, so unfinished while drawn: it follows the progress
        assert 'http-equiv="refresh"' in page.content.decode()

    done = wait_for(lambda: ReportJob.objects.filter(pk=job.pk, status="done").exists(), timeout=120)
    assert done, celery_worker.log_path.read_text()[-3000:]
    page = client.get(reverse("report_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and reverse("report_job_download", args=[job.pk]) in page
    download = client.get(reverse("report_job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    job.refresh_from_db()
    assert (job.progress, job.finished_at is not None) == (100, True)

    other = page_client(leader)  # another person's job holds the asker's visibility: not found
    assert other.get(reverse("report_job", args=[job.pk])).status_code == 404
    assert other.get(reverse("report_job_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_finished_job_is_not_rendered_again_and_an_unfinished_one_has_no_download(executive):
    job = ReportJob.objects.create(requested_by=executive)
    assert page_client(executive).get(reverse("report_job_download", args=[job.pk])).status_code == 404
    assert render_job(job.pk) is True
    job.refresh_from_db()
    first = bytes(job.pdf)
    assert job.status == "done" and first.startswith(b"%PDF-")
    assert render_job(job.pk) is False  # handed out again: left as it is
    job.refresh_from_db()
    assert bytes(job.pdf) == first


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_the_job_on_its_page(executive):
    with broker_unreachable():
        response = page_client(executive).post(reverse("report_job_add"))
    job = ReportJob.objects.get()
    assert job.status == "failed" and job.error == MSG_NO_WORKER
    page = page_client(executive).get(response["Location"]).content.decode()
    assert MSG_NO_WORKER in page and "Try again" in page


@pytest.mark.django_db
def test_outsiders_may_not_ask(personas):
    assert page_client(personas["outsider"]).post(reverse("report_job_add")).status_code == 403
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_old_jobs_are_pruned(executive, settings):
    from datetime import timedelta

    from django.utils import timezone

    from leadership.reports.jobs import prune_jobs

    settings.JOB_RETENTION_DAYS = 7
    old, recent = (ReportJob.objects.create(requested_by=executive) for _ in range(2))
    ReportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert prune_jobs() == 1
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [recent.pk]
