"""/api/v1/: every app's router merged into one, so the API root lists every resource, plus the
schema and its docs. On the top floor because it names every app."""

from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from evidence.api import router as evidence_router
from governance.api.urls import router as governance_router
from initiatives.api.urls import router as initiatives_router
from integrations.api.urls import router as integrations_router
from leadership.reports.api.urls import router as reports_router
from vpportal.api.docs import DocsView, SchemaView
from vpportal.api.urls import router as foundation_router
from vpportal.core.api import api_not_found

# Paths a later app takes over on purpose, replacing the earlier app's resource: integrations'
# `kpis` is the KPI resource with its MLflow feed (initiatives may not import integrations). Any
# other path registered twice is a mistake, refused at start-up rather than silently replaced.
TAKEN_OVER = {"kpis"}

router = DefaultRouter()
for app_router in (
    foundation_router,
    evidence_router,
    initiatives_router,
    governance_router,
    reports_router,
    integrations_router,
):
    prefixes = {entry[0] for entry in app_router.registry}
    clashes = prefixes & {entry[0] for entry in router.registry}
    if clashes - TAKEN_OVER:
        raise ImproperlyConfigured(f"API paths registered twice: {sorted(clashes - TAKEN_OVER)}")
    router.registry[:] = [entry for entry in router.registry if entry[0] not in prefixes]
    router.registry.extend(app_router.registry)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Last: any other path under /api/v1/ is a JSON 404 in the API's error shape.
    re_path(r"^.*$", api_not_found, name="not_found"),
]
