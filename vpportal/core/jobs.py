"""Background jobs a person asks for and watches (the report PDF and large imports of leadership, the
evidence packs): the abstract model, queued on Celery once the job is committed, claimed by one
worker at a time, with a progress its page shows (templates/generic/job_page.html), failed visibly
when the broker cannot be reached. Each job model's own work is a function of the job that its task
calls through `run`; each app prunes its own jobs."""

import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
MSG_NO_WORKER = "The background worker could not be reached. Try again in a minute."


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own jobs only: each holds what its asker may see."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


class BackgroundJob(models.Model):
    """One piece of work a Celery worker does for the person who asked (with their visibility and
    permissions), with the progress they watch on its page. Bookkeeping of a background job, not a
    domain record: no history or version."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    # The Celery task (by name) that runs one job of the model: `task(job_id)`.
    TASK = ""

    class Meta:
        abstract = True
        ordering = ["-id"]

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


def queue(job: BackgroundJob) -> BackgroundJob:
    """Queue `job`'s task once the current transaction commits; a broker that cannot be reached
    fails the job, so its page says so rather than wait for ever."""
    model = type(job)

    def send():
        try:
            # By name: the tasks module imports the modules that call this.
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


def claim(model, job_id: int, first_step: str, percent: int = 5):
    """The job, marked running at `percent` (committed, so its page shows it), or None when there
    is nothing to do: gone, or finished already (a job handed out again after a worker died is not
    redone)."""
    with transaction.atomic():
        job = model.objects.select_for_update().select_related("requested_by").filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        progress(job, percent, first_step, status=JobStatus.RUNNING)
    return job


def run(model, job_id: int, work: Callable[[BackgroundJob], None], first_step: str, percent: int = 5) -> bool:
    """Claim the job and do its work (which finishes it with `progress(..., status=DONE)`); an error
    fails the job with its message on the page. Answers whether the work ran now."""
    job = claim(model, job_id, first_step, percent)
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
