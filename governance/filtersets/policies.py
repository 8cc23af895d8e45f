"""Filters of policies, their versions, acknowledgements and the framework catalogue: one FilterSet
per model, shared by the web list, its CSV export and the API list."""

import django_filters
from django.utils import timezone

from governance.choices import PolicyCategory, RequirementLevel, VersionStatus
from governance.models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement
from vpportal.core.filtersets import TrackedFilterSet
from vpportal.people.models import Person


class PolicyFilterSet(TrackedFilterSet):
    """`status` is the status of the policy's newest version (a policy with v1 approved and v2 in
    review is "in review": it awaits approval); `review_overdue` compares the next review date with
    today."""

    category = django_filters.MultipleChoiceFilter(choices=PolicyCategory.choices)
    owner = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    status = django_filters.MultipleChoiceFilter(
        choices=VersionStatus.choices, method="filter_status", label="Status of the newest version"
    )
    review_overdue = django_filters.BooleanFilter(method="filter_review_overdue", label="Review overdue")
    to_acknowledge = django_filters.BooleanFilter(
        method="filter_to_acknowledge",
        label="I still have to acknowledge",
        help_text="Policies with an approved version the signed-in person has not acknowledged yet.",
    )
    ordering = django_filters.OrderingFilter(fields=("code", "title", "category", "next_review_date", "updated_at"))

    class Meta:
        model = Policy
        fields = ["q", "category", "owner", "status", "review_overdue", "to_acknowledge"]

    def filter_status(self, queryset, name, value):
        return queryset.with_latest_status(*value) if value else queryset

    def filter_review_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        if value:
            return queryset.review_overdue(today)
        return queryset.exclude(next_review_date__lt=today)

    def filter_to_acknowledge(self, queryset, name, value):
        if value is None:
            return queryset
        person = Person.objects.of_user(getattr(self.request, "user", None))
        pending = queryset.to_acknowledge_by(person) if person is not None else queryset.none()
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))


class PolicyVersionFilterSet(TrackedFilterSet):
    policy = django_filters.ModelChoiceFilter(queryset=Policy.objects.all())
    status = django_filters.MultipleChoiceFilter(choices=VersionStatus.choices)
    ordering = django_filters.OrderingFilter(fields=("number", "approved_at", "updated_at"))

    class Meta:
        model = PolicyVersion
        fields = ["q", "policy", "status"]


class AcknowledgementFilterSet(TrackedFilterSet):
    person = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    policy_version = django_filters.ModelChoiceFilter(queryset=PolicyVersion.objects.all())
    policy = django_filters.ModelChoiceFilter(
        queryset=Policy.objects.all(), field_name="policy_version__policy", label="Policy"
    )
    ordering = django_filters.OrderingFilter(fields=("acknowledged_at",))

    class Meta:
        model = Acknowledgement
        fields = ["q", "person", "policy_version", "policy"]


class FrameworkFilterSet(TrackedFilterSet):
    is_builtin = django_filters.BooleanFilter(label="Shipped with VP Portal")
    ordering = django_filters.OrderingFilter(fields=("code", "title"))

    class Meta:
        model = Framework
        fields = ["q", "is_builtin"]


class RequirementFilterSet(TrackedFilterSet):
    framework = django_filters.ModelChoiceFilter(queryset=Framework.objects.all())
    level = django_filters.MultipleChoiceFilter(choices=RequirementLevel.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Requirement.objects.all())
    ordering = django_filters.OrderingFilter(fields=("position", "code"))

    class Meta:
        model = Requirement
        fields = ["q", "framework", "level", "parent"]
