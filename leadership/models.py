from django.db import models
from django.utils.translation import gettext_lazy as _

from vpportal.core.history import Channel
from vpportal.core.jobs import BackgroundJob, JobStatus

__all__ = ["BackgroundJob", "DigestEntry", "ImportJob", "ImportPhase", "JobStatus", "ReportJob"]


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
        verbose_name_plural = _("digest entries")
        constraints = [
            models.UniqueConstraint(fields=["person", "item", "sent_on"], name="%(app_label)s_%(class)s_once_a_day"),
        ]

    def __str__(self):
        return f"{self.item} to {self.person_id} on {self.sent_on}"


class ReportJob(BackgroundJob):
    """One executive-report PDF rendered by a worker (leadership/reports/jobs.py). The PDF is kept
    in the row (app servers keep nothing on disk)."""

    TASK = "leadership.tasks.render_report_task"

    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)

    def __str__(self):
        return f"Executive report for {self.requested_by} ({self.get_status_display()})"


class ImportPhase(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    IMPORT = "import", _("Import")


class ImportJob(BackgroundJob):
    """One large import file checked, then (once its asker confirms the preview) imported by a
    worker (leadership/imports/jobs.py), through the same run_import as the page: all or nothing.
    The file is kept in the row until it is imported."""

    TASK = "leadership.tasks.run_import_task"

    kind = models.CharField(_("kind"), max_length=30)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    phase = models.CharField(_("phase"), max_length=10, choices=ImportPhase.choices, default=ImportPhase.PREVIEW)
    # Where the file was uploaded (the page or the admin): the import's history and events say so.
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    report = models.JSONField(_("report"), default=dict, blank=True, editable=False)

    def __str__(self):
        return f"Import of {self.filename} by {self.requested_by} ({self.get_status_display()})"

    @property
    def awaits_confirmation(self) -> bool:
        """A preview that found nothing wrong: its asker may now import the file."""
        return self.phase == ImportPhase.PREVIEW and self.status == JobStatus.DONE and bool(self.report.get("ok"))
