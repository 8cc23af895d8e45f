"""Background jobs of leadership (the report PDF, large imports), run by the machinery of
vpportal/core/jobs.py (queue, progress, claim, run: its names are re-exported here for the job
modules), pruned after JOB_RETENTION_DAYS. Each job model's own work is a function of the job
(leadership/reports/jobs.py, leadership/imports/jobs.py) that its task calls through `run`."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from vpportal.core.jobs import MSG_NO_WORKER, claim, progress, queue, run

from .models import ImportJob, ReportJob

__all__ = ["JOB_MODELS", "MSG_NO_WORKER", "claim", "progress", "prune", "queue", "run"]
JOB_MODELS = (ReportJob, ImportJob)


def prune(now=None) -> int:
    """Delete jobs (and what they hold) older than JOB_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOB_RETENTION_DAYS)
    return sum(model.objects.filter(created_at__lt=cutoff).delete()[0] for model in JOB_MODELS)
