"""The OpenAPI schema and the interactive docs: public only when `API_DOCS_PUBLIC` is on (default
on under DEBUG or the demo, off in production), otherwise for signed-in callers (a session or a
token). A public schema maps every operation and field for an outsider; integrators have an account."""

import threading

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response


class DocsAccess(BasePermission):
    """Read at request time, so the setting can be changed without reloading URLs (and in tests)."""

    def has_permission(self, request, view):
        return bool(settings.API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


class SchemaView(SpectacularAPIView):
    """The schema is the same for every caller (a public schema: it does not narrow by permission),
    and generating it takes about a second, which the docs page waited behind a spinner on every
    load: it is generated once per process (and language) and served from memory after that."""

    permission_classes = [DocsAccess]
    _cache: dict = {}
    _lock = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        with self._lock:
            if key not in self._cache:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                self._cache[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._cache[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [DocsAccess]
    template_name = "api/swagger_ui.html"  # no inline <style>: the portal's CSP refuses it
