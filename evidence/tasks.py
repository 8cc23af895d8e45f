"""Background jobs of evidence (the Celery beat schedule in vpportal/settings.py runs the periodic
ones), idempotent and acknowledged late."""

from celery import shared_task

from .retention import purge


@shared_task(name="evidence.tasks.retention_task")
def retention_task() -> int:
    return len(purge())


@shared_task(name="evidence.tasks.build_pack_task", acks_late=True)
def build_pack_task(job_id: int) -> bool:
    """The ZIP of one EvidencePackJob (evidence.jobs)."""
    from .jobs import build_job

    return build_job(job_id)


@shared_task(name="evidence.tasks.prune_pack_jobs_task", acks_late=True)
def prune_pack_jobs_task() -> int:
    from .jobs import prune_jobs

    return prune_jobs()
