"""FilterSets of the portfolio: each serves the web list and the API list alike."""

import django_filters

from vpportal.core.filtersets import ExternalReferenceFilterSet, TrackedFilterSet
from vpportal.people.choices import Function
from vpportal.people.models import Person

from ..choices import Cadence, Direction, Health, KPIStatus, MilestoneStatus, Priority, Stage
from ..models import KPI, Initiative, KPIMeasurement, Milestone


def _people(request):
    return Person.objects.filter(active=True).order_by("name")


class InitiativeFilterSet(ExternalReferenceFilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    health = django_filters.MultipleChoiceFilter(choices=Health.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_people)
    executive_sponsor = django_filters.ModelChoiceFilter(queryset=_people, label="Sponsor")
    partner_function = django_filters.ChoiceFilter(
        choices=Function.choices, method="filter_partner_function", label="Partner function"
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag")
    ordering = django_filters.OrderingFilter(
        fields=("key", "title", "stage", "health", "priority", ("owner__name", "owner"), "target_date", "updated_at")
    )

    class Meta:
        model = Initiative
        fields = ["q", "stage", "health", "priority", "owner", "executive_sponsor", "partner_function", "tag"]

    def filter_partner_function(self, queryset, name, value):
        return queryset.with_partner_function(value) if value else queryset

    def filter_tag(self, queryset, name, value):
        return queryset.tagged(value) if value and value.strip() else queryset


class MilestoneFilterSet(TrackedFilterSet):
    initiative = django_filters.ModelChoiceFilter(queryset=Initiative.objects.all())
    # "Milestones of my initiatives" (the home page's My work links here).
    initiative_owner = django_filters.ModelChoiceFilter(
        queryset=_people, field_name="initiative__owner", label="Initiative owner"
    )
    status = django_filters.MultipleChoiceFilter(choices=MilestoneStatus.choices)
    due_date = django_filters.DateFromToRangeFilter()
    ordering = django_filters.OrderingFilter(fields=("title", "due_date", "status", "updated_at"))

    class Meta:
        model = Milestone
        fields = ["q", "initiative", "initiative_owner", "status", "due_date"]


class KPIFilterSet(TrackedFilterSet):
    initiative = django_filters.ModelChoiceFilter(queryset=Initiative.objects.all())
    organisation_wide = django_filters.BooleanFilter(
        field_name="initiative", lookup_expr="isnull", label="Organisation-wide"
    )
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    cadence = django_filters.MultipleChoiceFilter(choices=Cadence.choices)
    owner = django_filters.ModelChoiceFilter(queryset=_people)
    # `status` is the database annotation from KPIQuerySet.with_status() (part of with_related()).
    status = django_filters.MultipleChoiceFilter(choices=KPIStatus.choices)
    ordering = django_filters.OrderingFilter(fields=("name", "status", "latest_observed_at", "cadence", "updated_at"))

    class Meta:
        model = KPI
        fields = ["q", "initiative", "organisation_wide", "direction", "cadence", "owner", "status"]


class KPIMeasurementFilterSet(TrackedFilterSet):
    kpi = django_filters.ModelChoiceFilter(queryset=KPI.objects.all(), label="KPI")
    observed_at = django_filters.IsoDateTimeFromToRangeFilter()
    source = django_filters.CharFilter()
    ordering = django_filters.OrderingFilter(fields=("observed_at", "value"))

    class Meta:
        model = KPIMeasurement
        fields = ["q", "kpi", "observed_at", "source"]
