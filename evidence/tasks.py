"""Background jobs of evidence (the Celery beat schedule in vpportal/settings.py runs them)."""

from celery import shared_task

from .retention import purge


@shared_task(name="evidence.tasks.retention_task")
def retention_task() -> int:
    return len(purge())
