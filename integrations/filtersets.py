import django_filters

from vpportal.core.filtersets import SyncFilterSet, TrackedFilterSet

from .models import AISystemVersion, Approval, DeliveryStatus, ModelSource, Notification, Webhook, WebhookDelivery


class WebhookFilterSet(TrackedFilterSet):
    ordering = django_filters.OrderingFilter(fields=("id", "url", "created_at"))

    class Meta:
        model = Webhook
        fields = ["active", "owner"]


class WebhookDeliveryFilterSet(SyncFilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    updated_fields = ("created_at", "attempted_at")  # a delivery changes when it is attempted

    class Meta:
        model = WebhookDelivery
        fields = ["webhook", "event", "status"]


class NotificationFilterSet(SyncFilterSet):
    updated_fields = ("created_at", "read_at")

    class Meta:
        model = Notification
        fields = ["verb"]


class ModelSourceFilterSet(TrackedFilterSet):
    ordering = django_filters.OrderingFilter(fields=("name", "tracking_uri", "last_synced_at"))

    class Meta:
        model = ModelSource
        fields = ["active"]


class AISystemVersionFilterSet(TrackedFilterSet):
    approval = django_filters.ChoiceFilter(choices=Approval.choices)
    model_source = django_filters.NumberFilter(field_name="registered_model__source")
    ordering = django_filters.OrderingFilter(
        fields=("ai_system", "model_version", "stage", "registered_at", "approval")
    )

    class Meta:
        model = AISystemVersion
        fields = ["ai_system", "approval", "registry_confirmed", "in_registry", "stage"]
