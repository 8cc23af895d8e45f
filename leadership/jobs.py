"""Background jobs a person asks for and watches (leadership.models.BackgroundJob: the report PDF,
large imports): queued on Celery once the job is committed, claimed by one worker at a time, with a
progress its page shows, failed visibly when the broker cannot be reached, pruned after
JOB_RETENTION_DAYS. Each job model's own work is a function of the job (leadership/reports/jobs.py,
leadership/imports/jobs.py) that its task calls through `run`."""

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import BackgroundJob, ImportJob, JobStatus, ReportJob

logger = logging.getLogger(__name__)
MSG_NO_WORKER = "The background worker could not be reached. Try again in a minute."
JOB_MODELS = (ReportJob, ImportJob)


def queue(job: BackgroundJob) -> BackgroundJob:
    """Queue `job`'s task once the current transaction commits; a broker that cannot be reached
    fails the job, so its page says so rather than wait for ever."""
    model = type(job)

    def send():
        try:
            # By name: leadership.tasks imports the modules that call this.
            current_app.send_task(model.TASK, args=[job.pk])
        except Exception:
            logger.warning("Could not queue %s %s", model._meta.verbose_name, job.pk, exc_info=True)
            model.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.FAILED, error=MSG_NO_WORKER, finished_at=timezone.now()
            )

    transaction.on_commit(send)
    return job


def progress(job: BackgroundJob, percent: int, step: str, **fields) -> None:
    job.progress, job.step = percent, step
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", "step", *fields])


def claim(model, job_id: int, first_step: str):
    """The job, marked running (committed, so its page shows it), or None when there is nothing to
    do: gone, or finished already (a job handed out again after a worker died is not redone)."""
    with transaction.atomic():
        job = model.objects.select_for_update().select_related("requested_by").filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        progress(job, 5, first_step, status=JobStatus.RUNNING)
    return job


def run(model, job_id: int, work: Callable[[BackgroundJob], None], first_step: str) -> bool:
    """Claim the job and do its work (which finishes it with `progress(..., status=DONE)`); an error
    fails the job with its message on the page. Answers whether the work ran now."""
    job = claim(model, job_id, first_step)
    if job is None:
        return False
    try:
        work(job)
    except Exception as exc:
        logger.exception("%s %s failed", model._meta.verbose_name, job_id)
        job.refresh_from_db(fields=["progress"])
        progress(job, job.progress, "Failed", status=JobStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now())
        return False
    return True


def prune(now=None) -> int:
    """Delete jobs (and what they hold) older than JOB_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.JOB_RETENTION_DAYS)
    return sum(model.objects.filter(created_at__lt=cutoff).delete()[0] for model in JOB_MODELS)
