"""Reads of evidence: who sees which piece (the records it is attached to decide), whether it is
current, and the expiry queue."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from vpportal.core.models import TrackedQuerySet
from vpportal.roles import AUDITOR, has_any_role, has_role

from . import registry


def reads_all_evidence(user) -> bool:
    """An auditor reads every piece of evidence (PRODUCT.md), as does the administrator."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, AUDITOR)


def current_condition(today: datetime.date | None = None) -> Q:
    """THE definition of current evidence: no `valid_until`, or not past it."""
    today = today or timezone.localdate()
    return Q(valid_until__isnull=True) | Q(valid_until__gte=today)


def is_current(evidence, today=None) -> bool:
    today = today or timezone.localdate()
    return evidence.valid_until is None or evidence.valid_until >= today


class EvidenceLinkQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Links to records `user` sees: each kind's own `visible_to` decides."""
        if user is None or not user.is_authenticated or not has_any_role(user):
            return self.none()
        condition = Q(pk__in=[])
        type_ids = registry.content_type_ids()
        for kind in registry.attachables():
            condition |= Q(
                content_type_id=type_ids[kind.name],
                object_id__in=kind.visible(user).values("pk"),
            )
        return self.filter(condition)

    def to(self, record):
        return self.filter(content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk)

    def of_kind(self, kind: registry.Attachable):
        return self.filter(content_type_id=registry.content_type_ids()[kind.name])


class EvidenceQuerySet(TrackedQuerySet):
    search_fields = ("title", "description", "original_name", "sha256")
    label_related = ()

    def visible_to(self, user):
        visible = super().visible_to(user)
        if not has_any_role(user) or reads_all_evidence(user):
            return visible
        reachable = self._links().visible_to(user).values("evidence_id")
        return visible.filter(Q(pk__in=reachable) | Q(created_by=user))

    def with_related(self):
        return super().with_related().select_related("uploaded_by").with_currency()

    def with_currency(self, today=None):
        return self.annotate(is_current=Case(When(current_condition(today), then=Value(True)), default=Value(False)))

    def current(self, today=None):
        return self.filter(current_condition(today))

    def expired(self, today=None):
        today = today or timezone.localdate()
        return self.filter(valid_until__lt=today)

    def expiring(self, today=None, days: int = 30):
        today = today or timezone.localdate()
        return self.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=days))

    def _links(self):
        """EvidenceLink's manager, through the model's relation (models import this module)."""
        return self.model._meta.get_field("links").related_model.objects

    def attached_to(self, record):
        return self.filter(pk__in=self._links().to(record).values("evidence_id"))

    def attached_to_kind(self, kind: registry.Attachable):
        return self.filter(pk__in=self._links().of_kind(kind).values("evidence_id"))
