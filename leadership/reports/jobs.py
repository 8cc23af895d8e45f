"""The executive-report PDF rendered in the background (Celery): a person asks, a worker renders it
with that person's visibility, the job's page shows the progress and then the download. Rendering
a PDF (weasyprint) takes seconds and grows with the portfolio, past what a request should hold a
gunicorn thread for; the synchronous `report/pdf/` stays for scripts."""

import logging

from celery import current_app
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leadership.digest import base_url
from leadership.models import ReportJob, ReportJobStatus

from .executive import report_data
from .pdf import html_to_pdf

logger = logging.getLogger(__name__)
MSG_NO_WORKER = "The background worker could not be reached. Try again in a minute."


def request_report(user) -> ReportJob:
    """A queued job for `user`; its rendering is queued once the job is committed."""
    job = ReportJob.objects.create(requested_by=user, step="Waiting for a worker")

    def queue():
        try:
            # By name: leadership.tasks imports this module.
            current_app.send_task("leadership.tasks.render_report_task", args=[job.pk])
        except Exception:  # the broker is down: say so on the job's page rather than wait forever
            logger.warning("Could not queue report job %s", job.pk, exc_info=True)
            ReportJob.objects.filter(pk=job.pk, status=ReportJobStatus.QUEUED).update(
                status=ReportJobStatus.FAILED, error=MSG_NO_WORKER, finished_at=timezone.now()
            )

    transaction.on_commit(queue)
    return job


def _progress(job: ReportJob, percent: int, step: str, **fields) -> None:
    job.progress, job.step = percent, step
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", "step", *fields])


def render_job(job_id: int) -> bool:
    """Render the job's PDF (idempotent: a finished job is left as it is, so a job handed out again
    after a worker died renders at most once more). Answers whether it rendered now."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().select_related("requested_by").filter(pk=job_id).first()
        if job is None or job.finished:
            return False
        _progress(job, 5, "Gathering the figures", status=ReportJobStatus.RUNNING)
    try:
        data = report_data(job.requested_by)
        _progress(job, 40, "Laying out the pages")
        html = render_to_string("vpportal/report_pdf.html", data)
        _progress(job, 60, "Rendering the PDF")
        pdf = html_to_pdf(html, base_url=base_url() + "/")
    except Exception as exc:
        logger.exception("Report job %s failed", job_id)
        _progress(
            job, job.progress, "Failed", status=ReportJobStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return False
    _progress(job, 100, "Ready", status=ReportJobStatus.DONE, pdf=pdf, finished_at=timezone.now())
    return True


def prune_jobs(now=None) -> int:
    """Delete report jobs (and their PDFs) older than REPORT_JOB_RETENTION_DAYS."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORT_JOB_RETENTION_DAYS)
    return ReportJob.objects.filter(created_at__lt=cutoff).delete()[0]
