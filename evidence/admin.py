"""Admin of evidence: list, filters, search, the file's details read-only; edits of the metadata go
through evidence_update and deletes through evidence_delete (uploads are the evidence page's)."""

from django.contrib import admin
from django.utils.html import format_html

from evidence.models import Evidence, EvidenceLink
from evidence.services.evidence import evidence_delete, evidence_update
from vpportal.core.admin import TrackedAdmin


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    fields = ("content_type", "object_id", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(TrackedAdmin):
    list_display = (
        "title",
        "kind",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "valid_until",
    )
    list_filter = ("kind", "content_type", "valid_until")
    search_fields = ("title", "description", "original_name", "sha256")
    list_select_related = ("uploaded_by",)
    readonly_fields = (
        "download",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        *TrackedAdmin.readonly_fields,
    )
    inlines = (EvidenceLinkInline,)
    update_service = evidence_update
    delete_service = evidence_delete

    def has_add_permission(self, request, *args):
        return False  # uploads run through the upload page (type checks, streaming, links)

    @admin.display(description="File")
    def download(self, obj):
        return format_html('<a href="{}">Download {}</a>', obj.get_download_url(), obj.original_name)
