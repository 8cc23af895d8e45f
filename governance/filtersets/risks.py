"""Filters of the AI system inventory, the risk register and mitigations: one FilterSet per model,
used by the web list, its CSV export, the heat maps and the API list alike."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from governance.choices import (
    EUAIActTier,
    Lifecycle,
    MitigationStatus,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    SystemKind,
)
from governance.models import AISystem, Mitigation, Risk
from initiatives.models import Initiative
from vpportal.core.filtersets import ExternalReferenceFilterSet, SubsetFilter
from vpportal.people.models import Person

ONE_TO_FIVE = [(n, str(n)) for n in range(1, 6)]


class AISystemFilterSet(ExternalReferenceFilterSet):
    eu_ai_act_tier = django_filters.MultipleChoiceFilter(choices=EUAIActTier.choices, label="EU AI Act tier")
    lifecycle_status = django_filters.MultipleChoiceFilter(choices=Lifecycle.choices, label="Lifecycle")
    kind = django_filters.MultipleChoiceFilter(choices=SystemKind.choices)
    processes_personal_data = django_filters.BooleanFilter(label="Personal data")
    initiative = django_filters.ModelChoiceFilter(queryset=Initiative.objects.all())
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    ordering = django_filters.OrderingFilter(
        fields=("name", "kind", "eu_ai_act_tier", "lifecycle_status", "updated_at")
    )

    class Meta:
        model = AISystem
        fields = [
            "q",
            "eu_ai_act_tier",
            "lifecycle_status",
            "kind",
            "processes_personal_data",
            "initiative",
            "owner",
        ]


class RiskFilterSet(ExternalReferenceFilterSet):
    """`likelihood`/`impact` pick an inherent heat-map cell; `residual_likelihood`/`residual_impact`
    pick a residual cell by the effective values (the inherent ones when no residual is set)."""

    category = django_filters.MultipleChoiceFilter(choices=RiskCategory.choices)
    inherent_level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label="Inherent level")
    residual_level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label="Residual level")
    status = django_filters.MultipleChoiceFilter(choices=RiskStatus.choices)
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    ai_system = django_filters.ModelChoiceFilter(queryset=AISystem.objects.all(), label="AI system")
    initiative = django_filters.ModelChoiceFilter(
        queryset=Initiative.objects.all(),
        method="filter_initiative",
        label="Initiative",
    )
    review_overdue = SubsetFilter(lambda qs: qs.review_overdue(timezone.localdate()), label="Review overdue")
    requirement = django_filters.NumberFilter(
        field_name="requirement", label="Requirement", help_text="The id of the requirement or risk-library entry."
    )
    likelihood = django_filters.TypedChoiceFilter(choices=ONE_TO_FIVE, coerce=int)
    impact = django_filters.TypedChoiceFilter(choices=ONE_TO_FIVE, coerce=int)
    residual_likelihood = django_filters.TypedChoiceFilter(
        choices=ONE_TO_FIVE, coerce=int, field_name="effective_residual_likelihood", label="Residual likelihood"
    )
    residual_impact = django_filters.TypedChoiceFilter(
        choices=ONE_TO_FIVE, coerce=int, field_name="effective_residual_impact", label="Residual impact"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            "key",
            "title",
            "category",
            "inherent_score",
            "residual_score",
            "status",
            "next_review_date",
            "updated_at",
        )
    )

    # The heat-map cells set these; the filter bar keeps to the filters people pick by hand.
    hidden_in_web_form = (
        *ExternalReferenceFilterSet.hidden_in_web_form,
        "requirement",  # set by the risk library's counts
        "likelihood",
        "impact",
        "residual_likelihood",
        "residual_impact",
    )

    class Meta:
        model = Risk
        fields = [
            "q",
            "category",
            "inherent_level",
            "residual_level",
            "status",
            "owner",
            "ai_system",
            "initiative",
            "review_overdue",
            "requirement",
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
        ]

    def filter_initiative(self, queryset, name, value):
        # A risk concerns the initiative directly or through one of its AI systems.
        if not value:
            return queryset
        return queryset.filter(Q(initiative=value) | Q(ai_system__initiative=value))


class MitigationFilterSet(ExternalReferenceFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MitigationStatus.choices)
    risk = django_filters.ModelChoiceFilter(queryset=Risk.objects.all())
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    overdue = SubsetFilter(lambda qs: qs.overdue(timezone.localdate()), label="Overdue")
    ordering = django_filters.OrderingFilter(fields=("due_date", "status", ("risk__key", "risk"), "updated_at"))

    class Meta:
        model = Mitigation
        fields = ["q", "status", "risk", "owner", "overdue"]
