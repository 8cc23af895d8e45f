"""API resources `incidents` (with the `transition`, `report` and `raise-risk` actions) and
`vendors`: configuration on top of the tracked viewset; writes go through governance.services."""

from rest_framework import serializers, status
from rest_framework.response import Response

from governance.api.risks import (
    PrimaryKeyList,
    RelatedIdsListSerializer,
    RelatedIdsViewSet,
    RiskSerializer,
    creates_risk,
    risk_fields,
)
from governance.choices import IncidentStatus
from governance.filtersets.incidents import IncidentFilterSet, VendorFilterSet
from governance.models import AISystem, Incident, Mitigation, Risk, Vendor
from governance.services import incidents as services
from governance.services import vendors as vendor_services
from governance.specs import INCIDENT, VENDOR
from vpportal.core.api import (
    TRACKED_READ_ONLY,
    TrackedSerializer,
    record_action,
    spec_fields,
    spec_viewset,
    tracked_schema,
)


class IncidentSerializer(TrackedSerializer):
    ai_systems = PrimaryKeyList(queryset=AISystem.objects.all(), required=False)
    risks = PrimaryKeyList(queryset=Risk.objects.all(), required=False)
    mitigations = PrimaryKeyList(queryset=Mitigation.objects.all(), required=False)
    report_due = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="detected_at + 10, 2 or 15 days by serious_kind (Article 73)."
    )

    class Meta(TrackedSerializer.Meta):
        model = Incident
        fields = spec_fields(INCIDENT)
        read_only_fields = (
            *TRACKED_READ_ONLY,
            "key",
            "status",
            "reported_to_authority_at",
            "authority_reference",
        )
        extra_kwargs = {"status": {"help_text": "Starts open; change it with the transition action."}}
        list_serializer_class = RelatedIdsListSerializer


class IncidentTransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IncidentStatus.choices)


class IncidentReportSerializer(serializers.Serializer):
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    authority_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)


class VendorSerializer(TrackedSerializer):
    data_locations = serializers.ListField(
        child=serializers.CharField(max_length=2, min_length=2),
        required=False,
        max_length=250,
        help_text="ISO 3166-1 alpha-2 country codes (checked against pycountry's list by the service).",
    )

    class Meta(TrackedSerializer.Meta):
        model = Vendor
        fields = spec_fields(VENDOR, exclude=("data_locations_display",))


@tracked_schema
class IncidentViewSet(RelatedIdsViewSet):
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    writes = services.INCIDENT_WRITES
    service_actions = ("transition", "report", "raise_risk")

    @record_action(
        IncidentTransitionSerializer,
        IncidentSerializer,
        {
            400: "Unknown status.",
            403: "The role may not move incidents.",
            409: "The move is not declared, or closing is blocked (reasons listed).",
        },
        description="Move the incident along open -> investigating -> mitigated -> closed (back one step "
        "allowed). Closing needs a root cause, lessons learned and, for a serious incident, its report.",
    )
    def transition(self, request, pk=None):
        return self.run_action(services.incident_transition, IncidentTransitionSerializer)

    @record_action(
        IncidentReportSerializer,
        IncidentSerializer,
        {
            400: "reported_at in the future or before detection.",
            403: "The role may not record reports.",
            409: "The incident is not serious, or already reported.",
        },
        description="Record that a serious incident was reported to the market surveillance authority "
        "(EU AI Act Article 73): when (now if omitted) and the authority's reference.",
    )
    def report(self, request, pk=None):
        return self.run_action(services.incident_report, IncidentReportSerializer)

    @creates_risk(
        {400: "The risk's fields are invalid.", 403: "The role may not add risks or edit incidents."},
        description="Create a risk from the incident: fields not given come from the incident (title, "
        "category, first AI system, initiative, owner); the risk is linked to the incident.",
        detail=True,
        url_path="raise-risk",
    )
    def raise_risk(self, request, pk=None):
        incident = self.get_object()
        fields = risk_fields(services.risk_prefill(incident), request.data)
        risk = services.risk_raise_from_incident(incident=incident, by=request.user, data=fields)
        risk = Risk.objects.with_scores().get(pk=risk.pk)
        response = Response(RiskSerializer(risk, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)
        response["ETag"] = risk.etag
        return response


VendorViewSet = spec_viewset(VENDOR, VendorFilterSet, vendor_services.VENDOR_WRITES, serializer_class=VendorSerializer)
