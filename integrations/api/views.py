"""`webhooks` (the secret answered once, on create and rotate; `test` sends a ping) and
`webhook-deliveries` (the delivery log; `redeliver`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vpportal.core.api import IF_MATCH, TrackedSerializer, TrackedViewSet, tracked_schema
from vpportal.core.api_access import Pagination, RolePermission

from .. import services
from ..filtersets import NotificationFilterSet, WebhookDeliveryFilterSet, WebhookFilterSet
from ..models import Notification, Webhook, WebhookDelivery
from ..services import mark_read

TRACKED_FIELDS = ["created_at", "updated_at", "created_by", "updated_by", "version"]


class WebhookSerializer(TrackedSerializer):
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        allow_empty=False,
        max_length=50,
        help_text="Event type patterns: `risk.accepted`, `risk.*`, `*.deleted` or `*`.",
    )
    owner_display = serializers.CharField(source="owner.name", read_only=True, default=None, allow_null=True)

    class Meta(TrackedSerializer.Meta):
        model = Webhook
        fields = [
            "id",
            "url",
            "event_types",
            "active",
            "description",
            "owner",
            "owner_display",
            "disabled_reason",
            *TRACKED_FIELDS,
        ]
        read_only_fields = [*TrackedSerializer.Meta.read_only_fields, "disabled_reason"]


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret (`whsec_...`): shown only now.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.type", read_only=True)
    webhook_id_header = serializers.CharField(source="message_id", read_only=True, help_text="The `webhook-id` sent.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event",
            "event_type",
            "attempt",
            "status",
            "response_status",
            "duration_ms",
            "next_attempt_at",
            "response_excerpt",
            "error",
            "attempted_at",
            "created_at",
            "webhook_id_header",
        ]
        read_only_fields = fields


@tracked_schema
class WebhookViewSet(TrackedViewSet):
    serializer_class = WebhookSerializer
    filterset_class = WebhookFilterSet
    writes = services.WEBHOOK_WRITES
    service_actions = ("rotate_secret", "test")

    def get_queryset(self):
        return super().get_queryset().select_related("owner")

    @extend_schema(request=WebhookSerializer, responses={201: WebhookWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        """Subscribe: the answer carries the signing secret, which is never shown again."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(by=request.user, data=dict(serializer.validated_data))
        webhook = self.get_queryset().get(pk=webhook.pk)
        response = Response(
            WebhookWithSecretSerializer(webhook).data | {"secret": secret}, status=status.HTTP_201_CREATED
        )
        response["ETag"] = webhook.etag
        return response

    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={
            200: WebhookWithSecretSerializer,
            403: OpenApiResponse(description="Only executive and governance users manage webhooks."),
        },
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret (answered once); the previous one keeps signing too for the overlap window."""
        webhook = self.get_object()
        version = self._expected_version(webhook)
        webhook, secret = services.webhook_rotate_secret(webhook, by=request.user, version=version)
        webhook = self.get_queryset().get(pk=webhook.pk)
        response = Response(WebhookWithSecretSerializer(webhook).data | {"secret": secret})
        response["ETag"] = webhook.etag
        return response

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a `webhook.ping` event to this subscription (after its earlier deliveries)."""
        return _queued(services.webhook_test(self.get_object(), by=request.user))


def _queued(delivery) -> Response:
    """202: the delivery a worker will send, as the delivery log shows it."""
    delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
    return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: one row per attempt, newest first."""

    queryset = WebhookDelivery.objects.select_related("event")
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilterSet
    permission_classes = [RolePermission]
    pagination_class = Pagination
    service_actions = ("redeliver",)

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user).order_by("-id")

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send this delivery's event again, with the same `webhook-id`."""
        return _queued(services.delivery_redeliver(self.get_object(), by=request.user))


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "recipient", "verb", "text", "url", "read_at", "created_at"]
        read_only_fields = fields


class NotificationReader(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own notifications, newest first; `read` marks one read, `read-all` every one."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    permission_classes = [NotificationReader]
    pagination_class = Pagination
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        queryset = Notification.objects.for_user(self.request.user).order_by("-id")
        unread = self.request.query_params.get("unread")
        return queryset.unread() if unread in ("1", "true") else queryset

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark this notification read (it stays in the list, with `read_at`)."""
        notification = self.get_object()
        mark_read(request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None, responses={200: inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of yours read; `marked` says how many."""
        return Response({"marked": mark_read(request.user)})
