"""API of team development: `mentorships`, `mentorship-sessions` (private notes only for those who may
read them), `trainings` (with register/unregister for the caller) and `training-attendance`.
Serializers shape input; services decide."""

from rest_framework import serializers

from vpportal.core.api import (
    TrackedSerializer,
    TrackedViewSet,
    record_action,
    spec_fields,
    spec_viewset,
    tracked_schema,
)
from vpportal.people.models import Person
from vpportal.permissions import can_view_private_notes

from ..filtersets.team import (
    MentorshipFilterSet,
    MentorshipSessionFilterSet,
    TrainingAttendanceFilterSet,
    TrainingFilterSet,
)
from ..models import Mentorship, MentorshipSession, Training, TrainingAttendance
from ..services import team as services
from ..specs import ATTENDANCE, MENTORSHIP, SESSION, TRAINING


class MentorshipSerializer(TrackedSerializer):
    session_count = serializers.IntegerField(read_only=True)
    last_session_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta(TrackedSerializer.Meta):
        model = Mentorship
        fields = spec_fields(MENTORSHIP)


class _VisibleMentorshipField(serializers.PrimaryKeyRelatedField):
    """A mentorship the caller sees: for anyone else the id "does not exist" (400), as on a read."""

    def get_queryset(self):
        request = self.context.get("request")
        return Mentorship.objects.visible_to(getattr(request, "user", None))


class MentorshipReassignSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, help_text="The new mentor (a Person id)."
    )
    mentee = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, help_text="The new mentee (a Person id)."
    )


class MentorshipSessionSerializer(TrackedSerializer):
    mentorship = _VisibleMentorshipField()
    private_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "Only for the mentor, the mentee and executives: omitted from responses to anyone else, "
            "and ignored when anyone else sends it."
        ),
    )

    class Meta(TrackedSerializer.Meta):
        model = MentorshipSession
        fields = spec_fields(SESSION, extra=("held_mentor", "held_mentee"))
        read_only_fields = (*TrackedSerializer.Meta.read_only_fields, "held_mentor", "held_mentee")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        reader = getattr(request, "user", None)
        if getattr(instance, "private_notes_hidden", False) or not can_view_private_notes(reader, instance):
            data.pop("private_notes", None)
        return data


class TrainingSerializer(TrackedSerializer):
    attendee_count = serializers.IntegerField(read_only=True, help_text="Seats taken (every status).")

    class Meta(TrackedSerializer.Meta):
        model = Training
        fields = spec_fields(TRAINING)


class TrainingAttendanceSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = TrainingAttendance
        fields = spec_fields(ATTENDANCE)
        # One seat per person: the service says so with a message naming the person (400, `person`).
        validators = []


@tracked_schema
class MentorshipViewSet(TrackedViewSet):
    serializer_class = MentorshipSerializer
    filterset_class = MentorshipFilterSet
    writes = services.MENTORSHIP_WRITES
    service_actions = ("reassign",)

    @record_action(
        MentorshipReassignSerializer,
        MentorshipSerializer,
        {
            400: "No new participant, or the mentor would be the mentee.",
            403: "Only leaders and executives reassign.",
            412: None,
        },
        summary="Give the mentorship another mentor and/or mentee",
        description=(
            "Earlier sessions keep the mentor and mentee they were held with (`held_mentor`, "
            "`held_mentee`): their private notes stay with those people, never with the newcomer. "
            "A mentorship with sessions changes its participants only through this action."
        ),
    )
    def reassign(self, request, pk=None):
        return self.run_action(services.mentorship_reassign, MentorshipReassignSerializer, data="data")


@tracked_schema
class MentorshipSessionViewSet(TrackedViewSet):
    # visible_to (TrackedViewSet.get_queryset) blanks the notes a caller may not read.
    serializer_class = MentorshipSessionSerializer
    filterset_class = MentorshipSessionFilterSet
    writes = services.SESSION_WRITES


# The caller's own seat: no body, no If-Match (the seat is the caller's, not the training's fields).
SEAT_REFUSALS = {400: "Full, already held, a second seat, or not registered.", 403: "Read-only role."}


@tracked_schema
class TrainingViewSet(TrackedViewSet):
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilterSet
    writes = services.TRAINING_WRITES
    service_actions = ("register", "unregister")

    @record_action(
        None,
        TrainingSerializer,
        SEAT_REFUSALS,
        if_match=False,
        summary="Register the caller (their linked person) for this training",
    )
    def register(self, request, pk=None):
        """Take a seat at this training for yourself (your linked person). 400 when it is full or already held."""
        return self.run_action(services.training_register, version=None)

    @record_action(
        None, TrainingSerializer, SEAT_REFUSALS, if_match=False, summary="Give back the caller's seat at this training"
    )
    def unregister(self, request, pk=None):
        """Give back your seat at this training."""
        return self.run_action(services.training_unregister, version=None)


TrainingAttendanceViewSet = spec_viewset(
    ATTENDANCE,
    TrainingAttendanceFilterSet,
    services.ATTENDANCE_WRITES,
    serializer_class=TrainingAttendanceSerializer,
)
