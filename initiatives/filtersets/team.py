"""FilterSets of team development: each serves the web list and the API list alike.

No filter ever looks at `private_notes`: filtering on them would reveal them one guess at a time.
"""

import django_filters
from django.utils import timezone

from vpportal.core.filtersets import TrackedFilterSet
from vpportal.people.models import Person

from ..choices import AttendanceStatus, MeetingCadence, MentorshipStatus, TrainingTopic
from ..models import Mentorship, MentorshipSession, Training, TrainingAttendance


def _people(request):
    return Person.objects.order_by("name")


def _mentorships(request):
    # Only the mentorships that exist for the reader: a contributor can neither list the others as
    # choices nor learn from a 400 that an id exists.
    return Mentorship.objects.visible_to(getattr(request, "user", None)).select_related("mentor", "mentee")


class MineFilterSet(TrackedFilterSet):
    """`mine=true`: only records that involve the signed-in person (each subclass says how, in
    `rows_involving`)."""

    mine = django_filters.BooleanFilter(method="filter_mine", label="Mine only")

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        person = Person.objects.of_user(getattr(self.request, "user", None))
        return self.rows_involving(queryset, person) if person else queryset.none()


class MentorshipFilterSet(MineFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MentorshipStatus.choices)
    meeting_cadence = django_filters.MultipleChoiceFilter(choices=MeetingCadence.choices, label="Cadence")
    mentor = django_filters.ModelChoiceFilter(queryset=_people)
    mentee = django_filters.ModelChoiceFilter(queryset=_people)
    start_date = django_filters.DateFromToRangeFilter()
    ordering = django_filters.OrderingFilter(
        fields=(("mentor__name", "mentor"), ("mentee__name", "mentee"), "status", "start_date", "updated_at")
    )

    class Meta:
        model = Mentorship
        fields = ["q", "mine", "status", "meeting_cadence", "mentor", "mentee", "start_date"]

    @staticmethod
    def rows_involving(queryset, person):
        return queryset.involving(person)


class MentorshipSessionFilterSet(MineFilterSet):
    mentorship = django_filters.ModelChoiceFilter(queryset=_mentorships)
    held_on = django_filters.DateFromToRangeFilter()
    ordering = django_filters.OrderingFilter(fields=("held_on", "duration_minutes", "updated_at"))

    class Meta:
        model = MentorshipSession
        fields = ["q", "mine", "mentorship", "held_on"]

    @staticmethod
    def rows_involving(queryset, person):
        return queryset.filter(mentorship__in=Mentorship.objects.involving(person))


class TrainingFilterSet(MineFilterSet):
    WHEN_CHOICES = (("upcoming", "Upcoming"), ("past", "Past"))

    when = django_filters.ChoiceFilter(choices=WHEN_CHOICES, method="filter_when", label="When")
    topic = django_filters.MultipleChoiceFilter(choices=TrainingTopic.choices)
    counts_as_ai_literacy = django_filters.BooleanFilter(label="Counts as AI literacy")
    facilitator = django_filters.ModelChoiceFilter(queryset=_people)
    held_on = django_filters.DateFromToRangeFilter()
    ordering = django_filters.OrderingFilter(fields=("title", "topic", "held_on", "updated_at"))

    class Meta:
        model = Training
        fields = ["q", "mine", "when", "topic", "counts_as_ai_literacy", "facilitator", "held_on"]

    @staticmethod
    def rows_involving(queryset, person):
        return queryset.with_seat_for(person)

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        if value == "upcoming":
            return queryset.upcoming(today)
        if value == "past":
            return queryset.past(today)
        return queryset


class TrainingAttendanceFilterSet(MineFilterSet):
    training = django_filters.ModelChoiceFilter(queryset=Training.objects.all())
    person = django_filters.ModelChoiceFilter(queryset=_people)
    status = django_filters.MultipleChoiceFilter(choices=AttendanceStatus.choices)
    ordering = django_filters.OrderingFilter(
        fields=(("training__held_on", "held_on"), ("person__name", "person"), "status")
    )

    class Meta:
        model = TrainingAttendance
        fields = ["q", "mine", "training", "person", "status"]

    @staticmethod
    def rows_involving(queryset, person):
        return queryset.filter(person=person)
