"""API of policies, versions (with their workflow actions), acknowledgements and the catalogue."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from governance.filtersets.policies import (
    AcknowledgementFilterSet,
    FrameworkFilterSet,
    PolicyFilterSet,
    PolicyVersionFilterSet,
    RequirementFilterSet,
)
from governance.models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement
from governance.services import policies as services
from governance.specs import ACKNOWLEDGEMENT, FRAMEWORK, POLICY, POLICY_VERSION, REQUIREMENT
from vpportal.core.api import (
    TRACKED_READ_ONLY,
    TrackedSerializer,
    TrackedViewSet,
    spec_fields,
    spec_viewset,
    tracked_schema,
)
from vpportal.core.bounds import text_limit


class RequirementIdsField(serializers.ListField):
    """Requirement ids, looked up in one query (DRF's many=True relation fetches each id alone)."""

    child = serializers.IntegerField(min_value=1, max_value=2**31 - 1)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = Requirement.objects.in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(f"Unknown requirement id(s): {', '.join(missing)}.")
        return [found[pk] for pk in ids]

    def to_representation(self, value):
        return [requirement.pk for requirement in value.all()]


class PolicySerializer(TrackedSerializer):
    requirements = RequirementIdsField(required=False, help_text="Ids of the framework requirements addressed.")
    current_version = serializers.IntegerField(
        source="current_version_pk", read_only=True, allow_null=True, help_text="The approved version in force."
    )
    current_version_number = serializers.IntegerField(read_only=True, allow_null=True)
    latest_status = serializers.CharField(read_only=True, allow_null=True, help_text="Status of the newest version.")
    acknowledgement_rate = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Percent of active people who acknowledged the version in force."
    )

    class Meta(TrackedSerializer.Meta):
        model = Policy
        fields = spec_fields(
            POLICY,
            exclude=("current_version_label", "latest_status_label"),  # page labels of these:
            extra=("current_version", "current_version_number", "latest_status"),
        )
        read_only_fields = (*TRACKED_READ_ONLY, "code", "next_review_date")


class PolicyVersionSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = PolicyVersion
        fields = spec_fields(POLICY_VERSION)
        read_only_fields = (
            *TRACKED_READ_ONLY,
            "number",
            "author",
            "status",
            "approved_by",
            "approved_at",
            "review_comment",
        )


class RejectSerializer(serializers.Serializer):
    # The bound of the field it is stored in, so an over-long comment is refused as `comment`.
    comment = serializers.CharField(
        help_text="What the author should change.",
        allow_blank=True,
        max_length=text_limit(PolicyVersion, PolicyVersion._meta.get_field("review_comment")),
    )


class AcknowledgementSerializer(TrackedSerializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Acknowledgement._meta.get_field("person").related_model.objects.all(),
        required=False,
        help_text="Defaults to the caller's own person; only executives may acknowledge for someone else.",
    )

    class Meta(TrackedSerializer.Meta):
        model = Acknowledgement
        fields = spec_fields(ACKNOWLEDGEMENT)
        read_only_fields = (*TRACKED_READ_ONLY, "acknowledged_at")
        # Uniqueness (and the person default) is the service's: DRF's unique-together validator
        # would make `person` required.
        validators = []


class CoverageSerializer(serializers.Serializer):
    requirements = serializers.IntegerField(source="leaf_count", help_text="Leaf requirements (what coverage counts).")
    covered = serializers.IntegerField(source="covered_count")
    percent = serializers.IntegerField(source="coverage_percent", allow_null=True)
    evidenced = serializers.IntegerField(
        source="evidenced_count", help_text="Leaf requirements with at least one current evidence file."
    )
    evidenced_percent = serializers.IntegerField(allow_null=True)


class FrameworkSerializer(TrackedSerializer):
    requirement_count = serializers.IntegerField(
        read_only=True,
        help_text="Leaf requirements (NIST subcategories, EU AI Act articles); groupings such as NIST "
        "functions and categories are not counted. The same figure as `coverage.requirements`.",
    )
    coverage = CoverageSerializer(source="*", read_only=True)

    class Meta(TrackedSerializer.Meta):
        model = Framework
        fields = spec_fields(FRAMEWORK, exclude=("coverage_percent",), extra=("coverage",))
        read_only_fields = (*TRACKED_READ_ONLY, "is_builtin")


PolicyViewSet = spec_viewset(POLICY, PolicyFilterSet, services.POLICY_WRITES, serializer_class=PolicySerializer)


MOVE_RESPONSES = {
    200: PolicyVersionSerializer,
    403: OpenApiResponse(description="Your roles may never make this move."),
    409: OpenApiResponse(description="Not allowed now: wrong state, or the author approving their own version."),
    412: OpenApiResponse(description="If-Match does not match the version's ETag."),
}


@tracked_schema
class PolicyVersionViewSet(TrackedViewSet):
    """Drafts only are editable (409 otherwise). `submit`, `approve`, `reject` and `retire` move a
    version through its workflow; each takes an optional If-Match."""

    serializer_class = PolicyVersionSerializer
    filterset_class = PolicyVersionFilterSet
    writes = services.POLICYVERSION_WRITES
    service_actions = ("submit", "approve", "reject", "retire")

    def _move(self, service, body=None):
        return self.run_action(service, body, record="version", version="expected_version")

    @extend_schema(request=None, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send this draft for approval (its author or an editor). 409 when it is not a draft."""
        return self._move(services.policyversion_submit)

    @extend_schema(request=None, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve this version under review (executive or governance); it becomes the policy's current version. 409 when it is not under review or you are its author."""
        return self._move(services.policyversion_approve)

    @extend_schema(request=RejectSerializer, responses={**MOVE_RESPONSES, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Send this version under review back to draft with a comment saying why (`{"comment": "..."}`, required)."""
        return self._move(services.policyversion_reject, RejectSerializer)

    @extend_schema(request=None, responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Retire this approved version: it stays in the history but no longer applies."""
        return self._move(services.policyversion_retire)


class AcknowledgementViewSet(TrackedViewSet):
    """Everyone acknowledges for themselves (POST with `policy_version`); executives may record an
    acknowledgement for someone else and delete one made by mistake. Acknowledgements are not edited."""

    serializer_class = AcknowledgementSerializer
    filterset_class = AcknowledgementFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    # Creating is decided by the service (object rule: one's own acknowledgement), not the role map.
    service_actions = ("create",)
    writes = services.ACKNOWLEDGEMENT_WRITES


@tracked_schema
class FrameworkViewSet(TrackedViewSet):
    """`coverage`: the share of the framework's leaf requirements addressed by an approved policy or
    an implemented/verified mitigation. Built-in frameworks are read-only (403)."""

    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    writes = services.FRAMEWORK_WRITES


RequirementViewSet = spec_viewset(REQUIREMENT, RequirementFilterSet, services.REQUIREMENT_WRITES)
