"""The OpenAPI schema and the interactive docs: public only when `API_DOCS_PUBLIC` is on (default
on under DEBUG or the demo, off in production), otherwise for signed-in callers (a session or a
token). A public schema maps every operation and field for an outsider; integrators have an account."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class DocsAccess(BasePermission):
    """Read at request time, so the setting can be changed without reloading URLs (and in tests)."""

    def has_permission(self, request, view):
        return bool(settings.API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


class SchemaView(SpectacularAPIView):
    permission_classes = [DocsAccess]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [DocsAccess]
