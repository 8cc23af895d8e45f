"""The outbox table: one row per change, written in the change's transaction (vpportal/events/outbox.py)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vpportal.core.fields import optional_link
from vpportal.core.history import Channel

from .querysets import EventQuerySet


class Event(models.Model):
    """A change to a tracked record: `<model>.created|updated|deleted` or a named action
    (`risk.accepted`, `initiative.stage_changed`, ...). `data` is the record as the API shows it
    after the change (before it, for a delete), private fields included: the feed masks those per
    reader (EventQuerySet.for_reader). Ids increase in commit order (outbox.py)."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(_("type"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, help_text="app_label.model")
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    actor = optional_link(settings.AUTH_USER_MODEL, "+", _("actor"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="events_event_object_idx"),
            models.Index(fields=["type", "id"], name="events_event_type_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.type} {self.object_type}:{self.object_id}"
