"""Merged into /api/v1/ by vpportal/api/urls.py."""

from rest_framework.routers import DefaultRouter

from .views import AuditViewSet, DashboardViewSet

router = DefaultRouter()
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("audit", AuditViewSet, basename="audit")
