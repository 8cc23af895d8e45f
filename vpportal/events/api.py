"""`GET /api/v1/events/?after=<id>`: the change feed, oldest first, as the reader may see it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from vpportal.core.representation import CompiledRepresentation
from vpportal.permissions import has_any_role

from .models import Event
from .patterns import patterns_q, validate_pattern
from .querysets import mask_private

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class ChangeEventSerializer(CompiledRepresentation, serializers.ModelSerializer):
    """DRF's JSON for an event, compiled once per page (vpportal/core/representation.py)."""

    class Meta:
        model = Event
        fields = ["id", "type", "object_type", "object_id", "actor", "channel", "occurred_at", "data"]
        read_only_fields = fields


@extend_schema_serializer(many=False)  # one page object, although `list` answers it
class ChangeEventPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        help_text="The link for the events after this page's last one (the same `after` when the page "
        "is empty): follow it, or store the last id you processed and ask again later."
    )
    has_more = serializers.BooleanField(help_text="More events are there now: ask for `next` right away.")
    results = ChangeEventSerializer(many=True)


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, default=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    type = serializers.CharField(required=False)
    object_type = serializers.CharField(required=False)
    object_id = serializers.IntegerField(required=False, min_value=0)

    def validate_type(self, value):
        try:
            return [validate_pattern(p) for p in value.split(",")]
        except Exception as exc:  # a Django ValidationError: say it as a field error
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from None


class FeedReader(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and has_any_role(request.user))


class EventViewSet(viewsets.ViewSet):
    """The change feed: every create, update, delete and workflow action, in commit order."""

    permission_classes = [FeedReader]

    @extend_schema(
        summary="Changes after a given event, oldest first",
        description=(
            "Events in the order they were committed. Store the `id` of the last event you processed "
            "and ask for `?after=<id>`: you never miss or repeat an event. Only events of records you "
            "may see are listed; private fields appear only for their readers. `type` takes patterns "
            "separated by commas (`risk.*,*.deleted`)."
        ),
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description="Answer events with a larger id."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"At most this many (1-{MAX_LIMIT})."),
            OpenApiParameter("type", OpenApiTypes.STR, description="Event type patterns, such as `risk.*`."),
            OpenApiParameter("object_type", OpenApiTypes.STR, description="`app_label.model`."),
            OpenApiParameter("object_id", OpenApiTypes.INT),
        ],
        responses=ChangeEventPageSerializer,
    )
    def list(self, request):
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        events = Event.objects.visible_to(request.user).after(params["after"])
        if params.get("type"):
            events = events.filter(patterns_q("type", params["type"]))
        if params.get("object_type"):
            events = events.filter(object_type=params["object_type"].lower())
        if "object_id" in params:
            events = events.filter(object_id=params["object_id"])
        limit = params["limit"]
        # The page as `.values()` rows: no model instance per event (vpportal/core/representation.py).
        rows = events.order_by("id").values(*ChangeEventSerializer().row_plan().columns)
        page = list(rows[: limit + 1])
        has_more = len(page) > limit
        page = page[:limit]
        mask_private(page, request.user)
        last = page[-1]["id"] if page else params["after"]
        url = replace_query_param(request.build_absolute_uri(), "after", last)
        return Response({"next": url, "has_more": has_more, "results": ChangeEventSerializer(page, many=True).data})
