"""The executive-report PDF rendered in the background (Celery; leadership/jobs.py): a person asks,
a worker renders it with that person's visibility, the job's page shows the progress and then the
download. Rendering a PDF (weasyprint) takes seconds and grows with the portfolio, past what a
request should hold a gunicorn thread for; the synchronous `report/pdf/` stays for scripts."""

from django.utils import timezone

from leadership import jobs
from leadership.digest import base_url
from leadership.jobs import MSG_NO_WORKER, progress
from leadership.models import JobStatus, ReportJob
from vpportal.localisation import zone_named
from vpportal.people.models import Person

from .executive import report_pdf

__all__ = ["MSG_NO_WORKER", "request_report", "render_job", "prune_jobs"]


def request_report(user) -> ReportJob:
    """A queued job for `user`; its rendering is queued once the job is committed."""
    return jobs.queue(ReportJob.objects.create(requested_by=user, step="Waiting for a worker"))


def _render(job: ReportJob) -> None:
    progress(job, 40, "Laying out the pages")
    person = Person.objects.of_user(job.requested_by)
    with timezone.override(zone_named(person.time_zone if person else "")):  # as on the person's pages
        pdf = report_pdf(job.requested_by, base_url=base_url() + "/")
    progress(job, 100, "Ready", status=JobStatus.DONE, pdf=pdf, finished_at=timezone.now())


def render_job(job_id: int) -> bool:
    """Render the job's PDF (idempotent: a finished job is left as it is, so a job handed out again
    after a worker died renders at most once more). Answers whether it rendered now."""
    return jobs.run(ReportJob, job_id, _render, "Gathering the figures")


def prune_jobs(now=None) -> int:
    """Delete background jobs older than JOB_RETENTION_DAYS (report PDFs and import files)."""
    return jobs.prune(now)
