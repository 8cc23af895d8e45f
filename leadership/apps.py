from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LeadershipConfig(AppConfig):
    """The top floor: the VP's cockpit over every app (dashboard, executive report, audit trail,
    search, what's due, digest, import/export). It may import every app; nothing imports it."""

    name = "leadership"
    verbose_name = "Leadership"

    def ready(self):
        from vpportal.core.export import register_file_export

        from .imports.exports import list_export
        from .imports.kinds import KINDS

        for kind in KINDS.values():  # each importable list exports the file its import reads
            register_file_export(kind.model, list_export(kind.slug))


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (leadership.admin.PortalAdminSite: adds the import
    pages). Named in INSTALLED_APPS instead of "django.contrib.admin"."""

    default = False  # "leadership" in INSTALLED_APPS still means LeadershipConfig
    default_site = "leadership.admin.PortalAdminSite"
