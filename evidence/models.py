"""Evidence: a file that proves something, attached to one or more records of the kinds that declare
themselves attachable (evidence.registry). The file itself lives in the evidence storage under its
SHA-256 (evidence.storage); this row keeps what it is, where it came from and until when it holds."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vpportal.core.bounds import not_blank
from vpportal.core.derived import derived
from vpportal.core.fields import optional_link
from vpportal.core.history import HistoryChannelModel
from vpportal.core.jobs import BackgroundJob
from vpportal.core.models import Tracked
from vpportal.core.record_urls import record_url

from . import registry
from .choices import EvidenceKind
from .querysets import EvidenceLinkQuerySet, EvidenceQuerySet, is_current


class Evidence(Tracked):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices, db_index=True)
    description = models.TextField(_("description"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    # The current file. Every replacement is a new row in the history, which keeps the earlier
    # file's name, hash and size: versions are never overwritten.
    file = models.CharField(_("stored file"), max_length=120, editable=False)
    original_name = models.CharField(_("original file name"), max_length=255, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    uploaded_by = optional_link("vpportal.Person", "evidence_uploaded", _("uploaded by"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), editable=False, db_index=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = _("evidence")
        constraints = [
            not_blank("title"),
            models.CheckConstraint(condition=Q(size__gt=0), name="%(app_label)s_%(class)s_size_positive"),
        ]
        indexes = [models.Index(fields=["uploaded_at", "id"], name="evidence_evidence_order")]

    def __str__(self):
        return self.title

    def get_download_url(self):
        return reverse("evidence:evidence_download", args=[self.pk])

    is_current = derived(is_current)

    def attached_records(self) -> list:
        """The records this evidence is attached to (the permission predicates ask them)."""
        links = self.links.select_related("content_type").prefetch_related("target")
        return [link.target for link in links if link.target is not None]


class EvidenceLink(models.Model):
    """One attachment: evidence -> a record of a declared kind (generic relation)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links", verbose_name=_("evidence"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("kind of record"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    # Attaching and detaching are changes too: each is a history row with actor and channel.
    history = HistoricalRecords(bases=[HistoryChannelModel])

    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "content_type", "object_id"], name="%(app_label)s_%(class)s_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="evidence_link_target")]

    def __str__(self):
        kind = registry.for_model(self.content_type.model_class()) if self.content_type_id else None
        return f"{kind.label_singular if kind else 'record'} #{self.object_id}"


class EvidencePackJob(BackgroundJob):
    """One evidence pack (ZIP) too large to build during a request, built by a Celery worker for the
    person who asked, with their visibility (evidence.jobs). Bookkeeping of a background job, not a
    domain record: no history or version. The selection is the evidence ids the asker's filter
    chose; the worker reads them again through `visible_to(asker)`. The finished ZIP lives in the
    evidence storage (`evidence-packs/`, never on an app server's disk); jobs older than
    EVIDENCE_PACK_RETENTION_DAYS are pruned with their ZIP (beat, daily). Status, progress and
    their running come from vpportal/core/jobs.py."""

    TASK = "evidence.tasks.build_pack_task"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="evidence_pack_jobs",
        verbose_name=_("requested by"),
    )
    name = models.CharField(_("file name"), max_length=200)
    evidence_ids = models.JSONField(_("evidence"), default=list)
    stored_name = models.CharField(_("stored ZIP"), max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)  # pruned by age

    def __str__(self):
        return f"{self.name} for {self.requested_by} ({self.get_status_display()})"

    def get_absolute_url(self):
        return record_url("evidence:pack_job", self.pk)
