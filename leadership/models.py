from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestEntry(models.Model):
    """One item sent to one person on one day: how the reminder digest stays at most once per item
    per day however often cron runs it. Bookkeeping of a background job, not a domain record, so
    it carries no history or version."""

    person = models.ForeignKey(
        "vpportal.Person", on_delete=models.CASCADE, related_name="digest_entries", verbose_name=_("person")
    )
    item = models.CharField(_("item"), max_length=64, help_text=_("kind:id, e.g. mitigation:12"))
    sent_on = models.DateField(_("sent on"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        # Created by vpportal's migrations before this app existed: it keeps that label and table.
        app_label = "vpportal"
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(fields=["person", "item", "sent_on"], name="%(app_label)s_%(class)s_once_a_day"),
        ]

    def __str__(self):
        return f"{self.item} to {self.person_id} on {self.sent_on}"


class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own jobs only: each holds what its asker may see."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


class ReportJob(models.Model):
    """One executive-report PDF rendered by a Celery worker for the person who asked (with their
    visibility), with the progress they watch on its page. Bookkeeping of a background job, not a
    domain record: no history or version. The PDF is kept in the row (app servers keep nothing on
    disk); jobs older than REPORT_JOB_RETENTION_DAYS are pruned (beat, daily)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs", verbose_name=_("requested by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportJobStatus.choices, default=ReportJobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self):
        return f"Executive report for {self.requested_by} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ReportJobStatus.DONE, ReportJobStatus.FAILED)
