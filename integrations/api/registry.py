"""`model-sources` (`sync` runs a sync now and answers its report) and `ai-system-versions` (what
the sync brought in: read-only, but `approve` and `reject`, written back to MLflow as tags)."""

from django.db.models import F
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from initiatives.api.portfolio import KPISerializer, KPIViewSet
from initiatives.models import KPI
from vpportal.core.api import (
    RecordActions,
    TrackedSerializer,
    TrackedViewSet,
    record_action,
    spec_fields,
    tracked_schema,
)
from vpportal.core.api_access import RolePermission
from vpportal.events.outbox import register_shape

from .. import registry
from ..filtersets import AISystemVersionFilterSet, ModelSourceFilterSet
from ..mlflow_client import RegistryError
from ..models import AISystemVersion, KPIFeed, ModelSource
from ..specs import AI_SYSTEM_VERSION, MODEL_SOURCE


class ModelSourceSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = ModelSource
        fields = spec_fields(MODEL_SOURCE)
        read_only_fields = (*TrackedSerializer.Meta.read_only_fields, "last_synced_at", "last_sync_result")


SyncReport = inline_serializer(
    "ModelSyncReport",
    {
        "ok": serializers.BooleanField(),
        "registered_models": serializers.DictField(child=serializers.IntegerField()),
        "versions": serializers.DictField(child=serializers.IntegerField()),
        "renamed": serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
        "missing": serializers.ListField(child=serializers.CharField()),
        "restored": serializers.ListField(child=serializers.CharField()),
        "kpi_points_added": serializers.IntegerField(),
        "changed": serializers.BooleanField(),
    },
)
SyncFailed = inline_serializer("ModelSyncFailed", {"detail": serializers.CharField()})


@tracked_schema
class ModelSourceViewSet(TrackedViewSet):
    queryset = ModelSource.objects.with_related()
    serializer_class = ModelSourceSerializer
    filterset_class = ModelSourceFilterSet
    writes = registry.MODEL_SOURCE_WRITES
    service_actions = ("sync",)

    @extend_schema(
        request=None,
        responses={
            200: SyncReport,
            403: OpenApiResponse(description="Only executive and governance users manage model sources."),
            502: OpenApiResponse(SyncFailed, description="The registry failed; nothing was changed."),
        },
    )
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Sync this source now: every registered model as an AI system, every model version as an AI
        system version, new metric points of KPI feeds. Answers what was created, updated and left
        alone; a second sync in a row changes nothing."""
        try:
            return Response(registry.sync_now(self.get_object(), by=request.user))
        except RegistryError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_502_BAD_GATEWAY)


class AISystemVersionSerializer(TrackedSerializer):
    model_source = serializers.IntegerField(source="registered_model.source_id", read_only=True)
    model_name = serializers.CharField(source="registered_model.name", read_only=True)

    class Meta(TrackedSerializer.Meta):
        model = AISystemVersion
        fields = spec_fields(
            AI_SYSTEM_VERSION, extra=("model_source", "model_name", "writeback_error", "decision_comment")
        )
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AISystemVersionViewSet(RecordActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Model versions as the sync brought them in, newest first. They change only through the sync
    and the decision actions."""

    # Not a TrackedViewSet (read-only): the relations' texts and Person ids are annotated here.
    queryset = AISystemVersion.objects.with_related().annotate(**AISystemVersionSerializer.relation_annotations())
    serializer_class = AISystemVersionSerializer
    filterset_class = AISystemVersionFilterSet
    permission_classes = [RolePermission]
    service_actions = ("approve", "reject")

    def get_queryset(self):
        return self.queryset.select_related(None).select_related("registered_model").visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def _decide(self, request, decision):
        return self.run_action(
            registry.version_decide, DecisionSerializer, record="version", version="expected", decision=decision
        )

    @record_action(
        DecisionSerializer,
        AISystemVersionSerializer,
        {
            403: "Only governance and executives decide on model versions.",
            409: "Already approved, or the AI system fails the gate's system checks.",
        },
    )
    def approve(self, request, pk=None):
        """Approve the version for production (the AI system must pass the stage gate's checks about
        systems). The decision is written to MLflow as model-version tags in the background;
        `registry_confirmed` turns true once the registry has it."""
        return self._decide(request, "approved")

    @record_action(
        DecisionSerializer,
        AISystemVersionSerializer,
        {
            400: "A rejection needs a comment.",
            403: "Only governance and executives decide on model versions.",
            409: "Already rejected.",
        },
    )
    def reject(self, request, pk=None):
        """Reject the version (`comment` says why); written back to MLflow like an approval."""
        return self._decide(request, "rejected")


register_shape(AISystemVersion, AISystemVersionViewSet.queryset, AISystemVersionSerializer)


# --- the KPI resource with its MLflow feed ---------------------------------------------------------
# The KPI resource is initiatives'; its feed is the integrations' (a layer above), so the resource
# served at `kpis` is this extension of it (leadership.api_urls: a later app's resource of the same
# path replaces the earlier one). The feed is read from the list's own query (a left join).
_feed_field = KPIFeed._meta.get_field


class KPIWithFeedSerializer(KPISerializer):
    feed_model_source = serializers.IntegerField(
        required=False, allow_null=True, help_text="The model source (id) whose MLflow metric the KPI follows."
    )
    feed_model_name = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=_feed_field("model_name").max_length,
        help_text="The registered model whose runs log the metric (with `feed_model_source`).",
    )
    feed_metric_key = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=_feed_field("metric_key").max_length,
        help_text="The metric key; each sync adds its new points as measurements with source `mlflow`. "
        "Null `feed_model_source` (and no name nor key): the KPI follows no metric.",
    )

    class Meta(KPISerializer.Meta):
        fields = [*KPISerializer.Meta.fields, *registry.FEED_FIELDS]


@tracked_schema
class KPIWithFeedViewSet(KPIViewSet):
    queryset = KPI.objects.with_related().annotate(
        feed_model_source=F("mlflow_feed__model_source_id"),
        feed_model_name=F("mlflow_feed__model_name"),
        feed_metric_key=F("mlflow_feed__metric_key"),
    )
    serializer_class = KPIWithFeedSerializer
    writes = registry.KPI_FEED_WRITES


# Events about KPIs carry them as this resource shows them (with the feed).
register_shape(KPI, KPIWithFeedViewSet.queryset, KPIWithFeedSerializer, replace=True)
