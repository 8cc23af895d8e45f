"""API router of the leadership reads (dashboard, audit trail), merged into /api/v1/ by
leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from .views import AuditViewSet, DashboardViewSet

router = SimpleRouter()
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("audit", AuditViewSet, basename="audit")
