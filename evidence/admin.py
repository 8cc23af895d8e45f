"""Admin of evidence: list, filters, search; upload (the file, the metadata and the records it
proves), edit of the metadata and records, a new version of the file. Every write runs the services
the pages and the API run (evidence_create, evidence_update, evidence_replace_file, evidence_delete),
with the same checks: type by content, the size cap while the body streams in (the evidence upload
handler is installed before the admin's CSRF check reads the form), write access to a record. The
service's checks run while the form is validated (services.check_new / check_file), so a refused
file is a field error on the form, as on the upload page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.html import format_html

from evidence import registry, uploads
from evidence.models import Evidence, EvidenceLink
from evidence.services import evidence as services
from evidence.specs import EVIDENCE
from vpportal.core.admin import ServiceRefused, TrackedAdmin, TrackedAdminForm
from vpportal.core.services import ConflictError

FILE_HELP_ADD = "Checked by its content; up to {max_mb} MB. Stored under its SHA-256, never under its name."
FILE_HELP_CHANGE = "Upload a new version of the file; the earlier one stays in the history, still downloadable."


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    fields = ("content_type", "object_id", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # links change through the record fields above (the service checks them)


class RecordsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class _EvidenceAdminForm(TrackedAdminForm):
    """The upload (a file required) and change (a new version optional) form of the admin; one
    multiple choice per kind of record declared attachable, offering the records the user sees."""

    # Not named `file`: the admin refuses a form field named as the model's non-editable column.
    upload = forms.FileField(label="File", required=False)
    request = None  # set by EvidenceAdmin.get_form: the user, and whether the upload hit the cap

    class Meta:
        model = Evidence
        fields = EVIDENCE.editable_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        adding = self.instance.pk is None
        self.fields["upload"].required = adding
        max_mb = uploads.max_bytes() // (1024 * 1024)
        self.fields["upload"].help_text = FILE_HELP_ADD.format(max_mb=max_mb) if adding else FILE_HELP_CHANGE
        if not adding:
            self.fields["upload"].label = "New version of the file"
        existing = {} if adding else services.current_links(self.instance)
        for kind in registry.attachables():
            field = self.fields[kind.name]
            field.queryset = kind.choices(user).order_by("pk")
            if existing.get(kind.name) and not self.is_bound:
                self.initial[kind.name] = [record.pk for record in existing[kind.name]]

    def service_data(self, names=None) -> dict:
        """The metadata and links the services take (all of them, or those in `names`)."""
        wanted = [*EVIDENCE.editable_fields(), *services.link_names()]
        return {
            name: (list(value) if name in services.link_names() else value)
            for name in wanted
            if (names is None or name in names) and name in self.cleaned_data
            for value in [self.cleaned_data[name]]
        }

    def clean(self):
        cleaned = super().clean()
        if getattr(self.request, "evidence_refused", None) == uploads.TOO_LARGE:
            self.errors.pop("upload", None)
            self.add_error("upload", uploads.msg_too_large())
            return cleaned
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                services.check_new(by=self.request.user, data=self.service_data(), upload=cleaned.get("upload"))
            elif cleaned.get("upload") is not None:
                services.check_file(cleaned["upload"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                name = "upload" if name == "file" else name
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


# The link fields are the registry's, declared on the class (the admin renders declared fields).
EvidenceAdminForm = type(
    "EvidenceAdminForm",
    (_EvidenceAdminForm,),
    {
        "__module__": __name__,
        **{
            kind.name: RecordsField(
                queryset=kind.model._base_manager.none(),
                required=False,
                label=str(kind.label).capitalize(),
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
            for kind in registry.attachables()
        },
    },
)


@admin.register(Evidence)
class EvidenceAdmin(TrackedAdmin):
    form = EvidenceAdminForm
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
    file_fields = ("download", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = (*file_fields, *TrackedAdmin.readonly_fields)
    inlines = (EvidenceLinkInline,)
    delete_service = services.evidence_delete

    def get_urls(self):
        # Add and change take files: the evidence upload handler reads their body (hashing, the
        # size cap, a temporary file), installed before the CSRF check reads the form.
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("add/", uploads.streamed(self.admin_site.admin_view(self.add_view)), name=f"{prefix}_add"),
            path(
                "<path:object_id>/change/",
                uploads.streamed(self.admin_site.admin_view(self.change_view)),
                name=f"{prefix}_change",
            ),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # nothing is stored yet: the file's details come from the upload
            return TrackedAdmin.readonly_fields
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        by = request.user
        try:
            if not change:
                saved = services.evidence_create(by=by, data=form.service_data(), upload=form.cleaned_data["upload"])
            else:
                saved = Evidence._base_manager.get(pk=obj.pk)
                version = form.cleaned_data.get("loaded_version")
                data = form.service_data(form.changed_data)
                if data:
                    saved = services.evidence_update(saved, by=by, data=data, version=version)
                    version = None  # checked by the update, in this transaction
                if form.cleaned_data.get("upload") is not None:
                    saved = services.evidence_replace_file(
                        saved, by=by, upload=form.cleaned_data["upload"], version=version
                    )
        except (ConflictError, ValidationError, PermissionDenied) as error:
            raise ServiceRefused.of(error) from error
        obj.pk, obj.version = saved.pk, saved.version

    @admin.display(description="File")
    def download(self, obj):
        return format_html('<a href="{}">Download {}</a>', obj.get_download_url(), obj.original_name)
