import django_filters

from vpportal.core.filtersets import TrackedFilterSet

from .models import DeliveryStatus, Webhook, WebhookDelivery


class WebhookFilterSet(TrackedFilterSet):
    ordering = django_filters.OrderingFilter(fields=("id", "url", "created_at"))

    class Meta:
        model = Webhook
        fields = ["active", "owner"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["webhook", "event", "status"]
