"""Filters of incidents and vendors: one FilterSet per model for the web list, its export and the API."""

import django_filters
from django.utils import timezone

from governance.choices import IncidentSeverity, IncidentStatus, SeriousKind, VendorKind, VendorStatus
from governance.models import AISystem, Incident, Vendor
from initiatives.models import Initiative
from vpportal.core.filtersets import ExternalReferenceFilterSet, SubsetFilter, TrackedFilterSet
from vpportal.people.models import Person


class IncidentFilterSet(ExternalReferenceFilterSet):
    severity = django_filters.MultipleChoiceFilter(choices=IncidentSeverity.choices)
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    serious = django_filters.BooleanFilter(label="Serious (Art. 73)")
    serious_kind = django_filters.MultipleChoiceFilter(choices=SeriousKind.choices, label="Kind of serious incident")
    report_pending = SubsetFilter(lambda qs: qs.report_pending(), label="Report to authority pending")
    report_overdue = SubsetFilter(lambda qs: qs.report_overdue(timezone.now()), label="Report overdue")
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    initiative = django_filters.ModelChoiceFilter(queryset=Initiative.objects.all())
    ai_system = django_filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), field_name="ai_systems", label="AI system", distinct=True
    )
    detected_after = django_filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="gte")
    detected_before = django_filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=("key", "title", "severity", "status", "detected_at", "report_due", "updated_at")
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "severity",
            "status",
            "serious",
            "serious_kind",
            "report_pending",
            "report_overdue",
            "owner",
            "initiative",
            "ai_system",
            "detected_after",
            "detected_before",
        ]


class VendorFilterSet(TrackedFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=VendorKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=VendorStatus.choices)
    dpa_signed = django_filters.BooleanFilter(label="DPA signed")
    data_location = django_filters.CharFilter(
        method="filter_data_location", label="Data location (country code)", max_length=2
    )
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    review_overdue = SubsetFilter(lambda qs: qs.review_overdue(timezone.localdate()), label="Review overdue")
    contract_ending = SubsetFilter(
        lambda qs: qs.contract_ending(timezone.localdate()), label="Contract ends within 90 days"
    )
    ordering = django_filters.OrderingFilter(
        fields=("name", "kind", "status", "contract_end_date", "next_review_date", "updated_at")
    )

    class Meta:
        model = Vendor
        fields = ["q", "kind", "status", "dpa_signed", "data_location", "owner", "review_overdue", "contract_ending"]

    def filter_data_location(self, queryset, name, value):
        # The list is JSON text on both databases: match the quoted code, as initiatives' tags do.
        code = (value or "").strip().upper()
        return queryset.filter(data_locations__icontains=f'"{code}"') if code else queryset
