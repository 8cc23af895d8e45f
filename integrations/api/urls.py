"""API router of the integrations, merged into /api/v1/ by vpportal.api.urls."""

from rest_framework.routers import SimpleRouter

from .registry import AISystemVersionViewSet, KPIWithFeedViewSet, ModelSourceViewSet
from .views import NotificationViewSet, WebhookDeliveryViewSet, WebhookViewSet

router = SimpleRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhookdelivery")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("model-sources", ModelSourceViewSet, basename="modelsource")
router.register("ai-system-versions", AISystemVersionViewSet, basename="aisystemversion")
router.register("kpis", KPIWithFeedViewSet, basename="kpi")  # initiatives' resource with its feed
