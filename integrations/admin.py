from django.contrib import admin

from vpportal.core.admin import ReadOnlyAdmin, TrackedAdmin

from . import registry, services
from .models import AISystemVersion, ModelSource, Webhook, WebhookDelivery
from .specs import WEBHOOK


def _create(*, by, data):
    return services.webhook_create(by=by, data=data)[0]


@admin.register(Webhook)
class WebhookAdmin(TrackedAdmin):
    spec = WEBHOOK
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = (*TrackedAdmin.readonly_fields, "disabled_reason")
    writes = services.WEBHOOK_WRITES
    create_service = staticmethod(_create)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log, read-only (redeliver from the webhook's page or the API)."""

    list_display = ("id", "webhook", "event", "attempt", "status", "response_status", "duration_ms", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("webhook", "event")


@admin.register(ModelSource)
class ModelSourceAdmin(TrackedAdmin):
    list_display = ("name", "tracking_uri", "active", "last_synced_at")
    list_filter = ("active",)
    search_fields = ("name", "tracking_uri")
    readonly_fields = (*TrackedAdmin.readonly_fields, "last_synced_at", "last_sync_result")
    writes = registry.MODEL_SOURCE_WRITES


@admin.register(AISystemVersion)
class AISystemVersionAdmin(ReadOnlyAdmin):
    """Read-only: the sync writes versions; approve and reject on the version's page or the API,
    where the gate's checks and the write-back to MLflow apply."""

    list_display = ("__str__", "ai_system", "stage", "registered_at", "approval", "registry_confirmed", "in_registry")
    list_filter = ("approval", "registry_confirmed", "in_registry")
    search_fields = ("registered_model__name", "ai_system__name", "run_id")
    list_select_related = ("registered_model", "ai_system")
