"""API router of the integrations, merged into /api/v1/ by vpportal.api.urls."""

from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, WebhookDeliveryViewSet, WebhookViewSet

router = SimpleRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhookdelivery")
router.register("notifications", NotificationViewSet, basename="notification")
