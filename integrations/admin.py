from django.contrib import admin

from vpportal.core.admin import TrackedAdmin

from . import services
from .models import Webhook, WebhookDelivery
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
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only (redeliver from the webhook's page or the API)."""

    list_display = ("id", "webhook", "event", "attempt", "status", "response_status", "duration_ms", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("webhook", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("integrations.view_webhookdelivery")

    def has_module_permission(self, request):
        return request.user.has_perm("integrations.view_webhookdelivery")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
