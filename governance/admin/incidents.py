"""Admin of incidents and vendors; saves go through the same services as pages and API
(TrackedAdmin). The status moves and the Article 73 report are actions on the incident page, so
the admin shows them read-only (incident_update refuses a status change)."""

from django.contrib import admin
from django.db import models

from governance.models import Incident, Vendor
from governance.services.incidents import INCIDENT_WRITES
from governance.services.vendors import VENDOR_WRITES
from vpportal.core.admin import TrackedAdmin


@admin.register(Incident)
class IncidentAdmin(TrackedAdmin):
    list_display = ("key", "title", "severity", "status", "initiative", "owner", "detected_at", "serious")
    list_filter = ("severity", "status", "serious", "serious_kind")
    search_fields = ("key", "title", "description", "authority_reference")
    list_select_related = ("initiative", "owner")
    filter_horizontal = ("ai_systems", "risks", "mitigations")
    readonly_fields = (
        "key",
        "status",
        "reported_to_authority_at",
        "authority_reference",
        "reported_by",
        *TrackedAdmin.readonly_fields,
    )
    writes = INCIDENT_WRITES


@admin.register(Vendor)
class VendorAdmin(TrackedAdmin):
    list_display = ("name", "kind", "status", "dpa_signed", "contract_end_date", "next_review_date", "owner")
    list_filter = ("kind", "status", "dpa_signed")
    search_fields = ("name", "website", "contact_email")
    list_select_related = ("owner",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    writes = VENDOR_WRITES
