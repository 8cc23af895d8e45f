"""API of the portfolio: initiatives (with the stage transition action), milestones, KPIs (with the
derived status) and KPI measurements (with bulk ingest). Serializers shape input; services decide."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from vpportal.core.api import (
    ExternalReferenceViewSet,
    TrackedSerializer,
    TrackedViewSet,
    record_action,
    spec_fields,
    spec_viewset,
    tracked_schema,
)
from vpportal.core.api_access import KeysetPagination
from vpportal.people.choices import Function

from ..choices import KPIStatus, Stage
from ..filtersets.portfolio import InitiativeFilterSet, KPIFilterSet, KPIMeasurementFilterSet, MilestoneFilterSet
from ..models import KPI, Initiative, KPIMeasurement
from ..services import portfolio as services
from ..specs import INITIATIVE, KPI_SPEC, MEASUREMENT, MILESTONE


class InitiativeSerializer(TrackedSerializer):
    partner_functions = serializers.ListField(child=serializers.ChoiceField(choices=Function.choices), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)

    class Meta(TrackedSerializer.Meta):
        model = Initiative
        fields = spec_fields(INITIATIVE)
        read_only_fields = (*TrackedSerializer.Meta.read_only_fields, "key", "stage_changed_at")
        extra_kwargs = {
            "stage": {"help_text": "Set on create (idea, discovery or poc); change it with the transition action."}
        }


class TransitionInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    override_justification = serializers.CharField(required=False, allow_blank=True, default="")


class StageMoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()
    allowed = serializers.BooleanField(help_text="The signed-in user may make this move now.")
    needs_override = serializers.BooleanField(
        help_text="The gate fails: the move needs an executive's override_justification."
    )
    failed_checks = serializers.ListField(child=serializers.CharField())


TRANSITION_REFUSED = inline_serializer(
    "TransitionRefused",
    # failed_checks only when the gate refused (not for a move that is never allowed).
    fields={
        "detail": serializers.CharField(),
        "failed_checks": serializers.ListField(child=serializers.CharField(), required=False),
    },
)


@tracked_schema
class InitiativeViewSet(ExternalReferenceViewSet):
    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet
    writes = services.INITIATIVE_WRITES
    service_actions = ("transition",)

    @record_action(
        TransitionInputSerializer,
        InitiativeSerializer,
        {
            400: "Unknown stage.",
            403: "The role may not move initiatives or override the gate.",
            409: OpenApiResponse(TRANSITION_REFUSED, description="The move is not allowed or the gate refuses it."),
            412: "Stale If-Match.",
        },
        if_match=False,
        description="Move the initiative to another stage through the stage gate (executives may override "
        "failed checks with a justification).",
    )
    def transition(self, request, pk=None):
        return self.run_action(services.initiative_transition, TransitionInputSerializer)

    @extend_schema(
        responses={200: StageMoveSerializer(many=True)},
        description="The declared stage moves from the initiative's stage, each with whether the signed-in "
        "user may make it now and the gate checks that fail (the same answer the page's stage form shows).",
    )
    @action(detail=True, methods=["get"], url_path="stage-moves")
    def stage_moves(self, request, pk=None):
        moves = services.stage_moves(self.get_object(), request.user)
        return Response(StageMoveSerializer(moves, many=True).data)


MilestoneViewSet = spec_viewset(MILESTONE, MilestoneFilterSet, services.MILESTONE_WRITES)


class KPISerializer(TrackedSerializer):
    # Derived in the database by KPIQuerySet.with_status(); never written.
    status = serializers.ChoiceField(choices=KPIStatus.choices, read_only=True)
    latest_value = serializers.FloatField(read_only=True, allow_null=True)
    latest_observed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(TrackedSerializer.Meta):
        model = KPI
        fields = spec_fields(KPI_SPEC)


@tracked_schema
class KPIViewSet(TrackedViewSet):
    serializer_class = KPISerializer
    filterset_class = KPIFilterSet
    writes = services.KPI_WRITES


class KPIMeasurementSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = KPIMeasurement
        fields = spec_fields(MEASUREMENT)
        # Uniqueness on (kpi, observed_at, source) is checked by the model in the service.
        validators = []


BULK_RESULT = inline_serializer(
    "KPIMeasurementBulkResult",
    fields={
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(
            required=False, help_text="With `on_conflict=update` only: stored points that took the new value."
        ),
        "skipped": serializers.IntegerField(help_text="Points already stored as sent."),
    },
)
ON_CONFLICT = OpenApiParameter(
    "on_conflict",
    OpenApiTypes.STR,
    enum=list(services.ON_CONFLICT),
    default="skip",
    description="What to do with a point whose (kpi, observed_at, source) is already stored: `skip` it "
    "(the default: a re-sent batch changes nothing) or `update` it with the new value and note (corrections; "
    "needs the change permission too).",
)


@tracked_schema
class KPIMeasurementViewSet(TrackedViewSet):
    serializer_class = KPIMeasurementSerializer
    filterset_class = KPIMeasurementFilterSet
    pagination_class = KeysetPagination  # the one table with millions of rows
    writes = services.KPI_MEASUREMENT_WRITES
    service_actions = ("bulk",)

    @extend_schema(
        request=KPIMeasurementSerializer(many=True),
        parameters=[ON_CONFLICT],
        responses={
            201: BULK_RESULT,
            400: OpenApiResponse(
                description="Nothing was written. Each bad point is named by its index: `3.value` holds the "
                "messages of the `value` of the point at index 3, `3` those of the point as a whole."
            ),
            403: OpenApiResponse(description="The role may not add measurements."),
        },
        description=f"Create up to {services.BULK_LIMIT} measurements at once: all or nothing, idempotent on "
        "(kpi, observed_at, source); points already stored are skipped, or corrected with "
        "`?on_conflict=update` (`updated` in the answer; points stored as sent count as skipped).",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        try:
            result = services.kpi_measurements_bulk_create(
                by=request.user, points=request.data, on_conflict=request.query_params.get("on_conflict") or "skip"
            )
        except services.BulkRejected as rejected:
            # The API's error shape (vpportal/core/api.py): one entry per bad point and field.
            raise ValidationError(
                {
                    "": [f"{len(rejected.errors)} point(s) are invalid; nothing was written."],
                    **{str(e["index"]): e["errors"] for e in rejected.errors},
                }
            ) from None
        return Response(result, status=status.HTTP_201_CREATED)
