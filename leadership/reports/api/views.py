"""`GET /api/v1/dashboard/` (the dashboard's figures) and `GET /api/v1/audit/` (history events
across every model, filterable and paginated, private fields masked)."""

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from leadership.dashboard.metrics import dashboard_data
from leadership.reports.audit_trail import build_events, event_rows, tracked_models
from vpportal.core.api_access import Pagination, RolePermission
from vpportal.core.history import Channel
from vpportal.permissions import has_any_role


class ReaderPermission(RolePermission):
    """Any role may read (figures and events go through each model's visibility rule);
    `required_perm`, when set, is checked too."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        required = getattr(view, "required_perm", None)
        return has_any_role(user) and (required is None or user.has_perm(required))


class FigureSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The web list of the records counted.")


def figures(help_text=""):
    return serializers.DictField(child=FigureSerializer(), help_text=help_text)


class StageFiguresSerializer(serializers.Serializer):
    total = FigureSerializer()
    by_health = figures("By health (`green`, `amber`, `red`, ...).")


class InitiativeFiguresSerializer(serializers.Serializer):
    total = FigureSerializer()
    by_stage = serializers.DictField(child=StageFiguresSerializer(), help_text="By stage, then by health.")
    by_health = figures()


class SparklineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()
    points = serializers.CharField(help_text="SVG polyline points of the recent values; empty without values.")


class KPIFiguresSerializer(serializers.Serializer):
    by_status = figures("By status (`on_track`, `at_risk`, `off_track`, ...).")
    sparklines = SparklineSerializer(many=True)


class HeatCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    count = serializers.IntegerField()
    level = serializers.CharField()
    url = serializers.CharField()


class HeatMapSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    cells = HeatCellSerializer(many=True)


class PolicyToAcknowledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class PolicyFiguresSerializer(serializers.Serializer):
    awaiting_approval = FigureSerializer()
    to_acknowledge_by_me = PolicyToAcknowledgeSerializer(many=True)
    acknowledgement_rate = serializers.FloatField(allow_null=True, help_text="Percent; null without policies.")


class LiteracySerializer(serializers.Serializer):
    percent = serializers.FloatField(allow_null=True)
    covered = serializers.IntegerField()
    total = serializers.IntegerField()
    uncovered = FigureSerializer(allow_null=True)


class FrameworkCoverageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    percent = serializers.FloatField(allow_null=True)
    requirements = serializers.IntegerField()
    covered = serializers.IntegerField()
    url = serializers.CharField()


class ActivitySerializer(serializers.Serializer):
    """One line of recent activity: the changes of one user, verb and kind of record, grouped."""

    when = serializers.DateTimeField(help_text="The newest change of the line.")
    since = serializers.DateTimeField(help_text="The oldest change of the line (`when` for a single change).")
    user = serializers.CharField()
    channel = serializers.CharField()
    action = serializers.CharField()
    model = serializers.CharField()
    object_id = serializers.IntegerField(help_text="The record of the newest change.")
    count = serializers.IntegerField(help_text="Changes grouped in the line.")
    records = serializers.IntegerField(help_text="Distinct records they touched.")
    label = serializers.CharField(help_text='The record, or the count of records ("15 training attendance records").')
    url = serializers.CharField(
        allow_null=True, help_text="The record, or its list filtered to the records changed since `since`."
    )


@extend_schema_serializer(many=False)  # one object, although `list` answers it
class DashboardSerializer(serializers.Serializer):
    today = serializers.DateField()
    initiatives = InitiativeFiguresSerializer()
    kpis = KPIFiguresSerializer()
    risk_heat_maps = serializers.DictField(child=HeatMapSerializer(), help_text="Inherent and residual, by code.")
    overdue = figures("Overdue milestones, reviews, mitigations ... by kind.")
    policies = PolicyFiguresSerializer()
    ai_literacy = LiteracySerializer()
    framework_coverage = FrameworkCoverageSerializer(many=True)
    recent_activity = ActivitySerializer(many=True)


class DashboardViewSet(viewsets.ViewSet):
    permission_classes = [ReaderPermission]

    @extend_schema(
        summary="The dashboard's figures",
        description="The same figures as the dashboard page, for the records you may see; each counted "
        "figure carries the URL of the filtered web list.",
        responses={200: DashboardSerializer},
    )
    def list(self, request):
        return Response(dashboard_data(request.user))


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class EventSerializer(serializers.Serializer):
    history_id = serializers.IntegerField(help_text="Unique within its model's history, not across models.")
    model = serializers.CharField()
    object_id = serializers.IntegerField()
    object = serializers.CharField(source="label")
    url = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    at = serializers.DateTimeField(source="when")
    user = serializers.IntegerField(source="user_id", allow_null=True)
    username = serializers.CharField()
    channel = serializers.CharField()
    changes = ChangeSerializer(many=True)


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(required=False)
    user = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)  # beyond: a database error
    channel = forms.ChoiceField(required=False, choices=[("", "")] + list(Channel.choices))
    since = forms.DateTimeField(required=False)
    until = forms.DateTimeField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "")] + [(label, label) for label in tracked_models()]


PAGE_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description=f"Events per page, 1 to {Pagination.max_limit}."),
    OpenApiParameter("offset", OpenApiTypes.INT, description="The index of the first event to return (0 or more)."),
]
AUDIT_PARAMETERS = [
    OpenApiParameter("model", OpenApiTypes.STR, description="A model label, e.g. `governance.risk`."),
    OpenApiParameter("user", OpenApiTypes.INT, description="The id of the user who made the change."),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Changes at or after this moment."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Changes at or before this moment."),
]


@extend_schema_serializer(many=False)  # one page object, although `list` answers it
class AuditPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    count_is_estimate = serializers.BooleanField(
        help_text="True only when counting exactly would exceed the time budget; `count` is then within 10%."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EventSerializer(many=True)


class AuditViewSet(viewsets.ViewSet):
    """A plain ViewSet: events come from several history tables, so there is no one model (and no
    queryset) for the schema generator to inspect."""

    permission_classes = [ReaderPermission]
    required_perm = "vpportal.view_history"

    @extend_schema(
        summary="History events across every model",
        description="Every change (create, update, delete) of the records you may see, newest first, with "
        "the fields changed; private fields are masked. A sync job finds deletions here: "
        "`?since=<last run>` and `action` `deleted`.",
        parameters=[*AUDIT_PARAMETERS, *PAGE_PARAMETERS],
        responses=AuditPageSerializer,
    )
    def list(self, request):
        form = AuditFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errs] for name, errs in form.errors.items()})
        data = form.cleaned_data
        rows = event_rows(
            models={data["model"]} if data["model"] else None,
            user_id=data["user"],
            channel=data["channel"] or None,
            since=data["since"],
            until=data["until"],
            reader=request.user,
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        events = build_events(page, request.user, with_changes=True)
        return paginator.get_paginated_response(EventSerializer(events, many=True).data)
