import django_filters

from vpportal.core.filtersets import SyncFilterSet, TrackedFilterSet

from .models import DeliveryStatus, Notification, Webhook, WebhookDelivery


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
