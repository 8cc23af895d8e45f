"""/api/v1/: one router per app, merged so the API root lists every resource."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from vpportal.events.api import EventViewSet
from vpportal.people.api import PersonViewSet

from .tokens import TokenViewSet

router = DefaultRouter()
router.register("people", PersonViewSet, basename="person")
router.register("auth/tokens", TokenViewSet, basename="token")
router.register("events", EventViewSet, basename="event")
for app in ("initiatives", "governance", "vpportal.reports", "integrations"):
    try:
        module = import_module(f"{app}.api.urls")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(app):
            continue
        raise
    router.registry.extend(module.router.registry)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
