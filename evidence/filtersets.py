"""Filters of the evidence list, shared by the web list, its export and the API list: kind,
attached to (a kind of record, or one record: `risks:12`), uploaded by, expiring before."""

import django_filters
from django import forms
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from vpportal.core.filtersets import TrackedFilterSet
from vpportal.people.models import Person

from . import registry
from .choices import EvidenceKind
from .models import Evidence, EvidenceLink
from .querysets import current_condition


def attached_choices():
    return [(kind.name, str(kind.label).capitalize()) for kind in registry.attachables()]


class AttachedToField(forms.CharField):
    """`risks` (any risk) or `risks:12` (that risk)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        name, _, pk = value.partition(":")
        kind = registry.by_name(name)
        if kind is None:
            choices = ", ".join(k.name for k in registry.attachables())
            raise forms.ValidationError(f"Unknown kind of record “{name}”; one of {choices}, optionally with :id.")
        if pk and not (pk.isdigit() and 0 < int(pk) < 2**63):
            raise forms.ValidationError("After the colon comes the record's id (a number).")
        return kind, int(pk) if pk else None


@extend_schema_field(OpenApiTypes.STR)  # `risks` or `risks:12`: no model field to read the type from
class AttachedToFilter(django_filters.Filter):
    field_class = AttachedToField

    def filter(self, queryset, value):
        if not value:
            return queryset
        kind, pk = value
        links = EvidenceLink.objects.of_kind(kind)
        if pk is not None:
            links = links.filter(object_id=pk)
        return queryset.filter(pk__in=links.values("evidence_id"))


class EvidenceFilterSet(TrackedFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EvidenceKind.choices)
    attached_to = AttachedToFilter(label="Attached to", help_text="A kind of record (risks) or one record (risks:12).")
    uploaded_by = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    expiring_before = django_filters.DateFilter(field_name="valid_until", lookup_expr="lt", label="Expiring before")
    current = django_filters.BooleanFilter(method="filter_current", label="Current")
    ordering = django_filters.OrderingFilter(
        fields=("title", "kind", "original_name", "uploaded_at", "valid_until", "updated_at")
    )

    class Meta:
        model = Evidence
        fields = ["q", "kind", "attached_to", "uploaded_by", "expiring_before", "current"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        condition = current_condition(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)
