"""The portal's admin site: Django's, plus an "Import" page for each importable model that runs the
same upload, preview and all-or-nothing import as the import page. It sits on the top floor because
the importer reads every app; the model admins stay in their apps and know nothing of it."""

from functools import partial

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse

from leadership.imports.kinds import kind_for_model
from leadership.imports.views import import_flow

IMPORT_PERMISSION = "vpportal.import_data"


class PortalAdminSite(admin.AdminSite):
    site_header = "VP Portal administration"
    site_title = "VP Portal admin"

    def importable(self) -> dict:
        """{model: import kind slug} for the registered models the importer knows."""
        return {model: kind.slug for model in self._registry if (kind := kind_for_model(model))}

    def get_urls(self):
        imports = [
            path(
                f"{model._meta.app_label}/{model._meta.model_name}/import/",
                self.admin_view(partial(self.import_view, model=model, kind=kind)),
                name=f"{model._meta.app_label}_{model._meta.model_name}_import",
            )
            for model, kind in self.importable().items()
        ]
        # Before the model admins' own URLs, whose `<object_id>/` would otherwise match "import/".
        return imports + super().get_urls()

    def import_view(self, request, *, model, kind):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "opts": model._meta,
            "title": f"Import {model._meta.verbose_name_plural}",
            "export_base": reverse("export_data"),  # exports in the import format, for re-import
        }
        return import_flow(request, template="admin/tracked_import.html", extra=context, fixed_kind=kind)

    def each_context(self, request):
        context = super().each_context(request)
        # The change lists of these models show "Import" (admin/tracked_change_list.html).
        may_import = request.user.has_perm(IMPORT_PERMISSION)
        context["importable_models"] = {m._meta.label_lower for m in self.importable()} if may_import else set()
        return context
