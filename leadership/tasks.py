"""Background jobs of the top floor (celery beat), idempotent and acknowledged late."""

from celery import shared_task

from leadership.digest import send_digests


@shared_task(acks_late=True)
def daily_digest_task() -> int:
    """The daily digest (leadership.digest): the stream's notifications of the people who chose the
    digest and their due and overdue items, one email each; idempotent per item and day."""
    return send_digests().emails


@shared_task(acks_late=True)
def render_report_task(job_id: int) -> bool:
    """The executive-report PDF of one ReportJob (leadership.reports.jobs)."""
    from leadership.reports.jobs import render_job

    return render_job(job_id)


@shared_task(acks_late=True)
def run_import_task(job_id: int) -> bool:
    """One phase (the preview, or the import once confirmed) of an ImportJob (leadership.imports.jobs)."""
    from leadership.imports.jobs import run_job

    return run_job(job_id)


@shared_task(acks_late=True)
def prune_jobs_task() -> int:
    """Background jobs (report PDFs, import files) past JOB_RETENTION_DAYS."""
    from leadership.jobs import prune

    return prune()
