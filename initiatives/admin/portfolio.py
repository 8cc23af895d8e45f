"""Admin of the portfolio. Every save, inline included, runs the same services as pages and API."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from vpportal.core.admin import RecordAction, ServiceRefused, TrackedAdmin, TrackedInline
from vpportal.core.services import ConflictError, TransitionError

from ..choices import Stage
from ..models import KPI, Initiative, KPIMeasurement, Milestone
from ..services import portfolio as services
from ..specs import INITIATIVE, KPI_SPEC, MEASUREMENT, MILESTONE

LATEST_MEASUREMENTS_SHOWN = 20


class ServiceInlineMixin:
    """Routes inline rows through services: `inline_services` maps the inline model to
    (create, update, delete) service functions."""

    inline_services: dict = {}

    def save_formset(self, request, form, formset, change):
        services_for = self.inline_services.get(formset.model)
        if services_for is None:
            return super().save_formset(request, form, formset, change)
        create, update, delete = services_for
        fk_name = formset.fk.name
        concrete = {f.name for f in formset.model._meta.concrete_fields}
        try:
            for row in formset.forms:
                if not row.has_changed() and row not in formset.deleted_forms:
                    continue
                instance = row.instance
                # The version the row was loaded with: a newer stored one is refused (ConflictError).
                version = row.cleaned_data.get("loaded_version")
                if row in formset.deleted_forms:
                    if instance.pk:
                        delete(type(instance)._base_manager.get(pk=instance.pk), by=request.user, version=version)
                    continue
                names = row.changed_data if instance.pk else row.cleaned_data
                data = {n: row.cleaned_data[n] for n in names if n in concrete and n not in ("id", fk_name)}
                if instance.pk:
                    stored = type(instance)._base_manager.get(pk=instance.pk)
                    update(stored, by=request.user, data=data, version=version)
                else:
                    create(by=request.user, data={**data, fk_name: form.instance})
        except (ConflictError, TransitionError, ValidationError, PermissionDenied) as error:
            raise ServiceRefused.of(error) from error
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class MilestoneInline(TrackedInline, admin.TabularInline):
    model = Milestone
    extra = 0
    # No "view on site" per row: each would look up a content type (django-zeal flags it as N+1).
    view_on_site = False
    fields = ("title", "due_date", "done_date", "status")


class KPIInline(TrackedInline, admin.TabularInline):
    model = KPI
    extra = 0
    view_on_site = False
    fields = ("name", "unit", "direction", "target", "warning_threshold", "cadence", "owner")
    show_change_link = True
    autocomplete_fields = ("owner",)


@admin.register(Initiative)
class InitiativeAdmin(ServiceInlineMixin, TrackedAdmin):
    spec = INITIATIVE
    list_filter = ("stage", "health", "priority", "uses_ai")
    search_fields = ("key", "title", "summary", "business_objective")
    autocomplete_fields = ("owner", "executive_sponsor")
    readonly_fields = (
        "key",
        "stage_changed_at",
        "gate_override_justification",
        "gate_override_failed_checks",
        *TrackedAdmin.readonly_fields,
    )
    inlines = (MilestoneInline, KPIInline)
    record_actions = RecordAction.moves(
        Stage,
        lambda initiative, stage, by: services.initiative_transition(initiative=initiative, by=by, stage=stage),
        description="Move selected initiatives to {label} (through the stage gate)",
        done="Moved {n} initiative(s) to {label}.",
    )
    writes = services.INITIATIVE_WRITES
    inline_services = {
        Milestone: (services.milestone_create, services.milestone_update, services.milestone_delete),
        KPI: (services.kpi_create, services.kpi_update, services.kpi_delete),
    }

    def get_readonly_fields(self, request, obj=None):
        # The stage is chosen on create; later it moves only through the transition actions.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "stage") if obj else fields


@admin.register(Milestone)
class MilestoneAdmin(TrackedAdmin):
    spec = MILESTONE
    list_filter = ("status",)
    search_fields = ("title", "initiative__title", "initiative__key")
    autocomplete_fields = ("initiative",)
    writes = services.MILESTONE_WRITES


@admin.register(KPI)
class KPIAdmin(TrackedAdmin):
    spec = KPI_SPEC
    list_filter = ("direction", "cadence")
    search_fields = ("name", "description", "initiative__title", "initiative__key")
    autocomplete_fields = ("initiative", "owner")
    readonly_fields = ("latest_measurements", *TrackedAdmin.readonly_fields)
    writes = services.KPI_WRITES

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description="status", ordering="status")
    def status(self, obj):
        return obj.status

    @admin.display(description="latest measurements")
    def latest_measurements(self, obj):
        """The newest points, read-only; the full, paged list is the measurements admin filtered to
        this KPI (a KPI may hold millions of points, so no inline)."""
        if not obj.pk:
            return "—"
        rows = obj.measurements.order_by("-observed_at", "-pk")[:LATEST_MEASUREMENTS_SHOWN]
        table = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", ((m.observed_at, m.value, m.source) for m in rows)
        )
        url = reverse("admin:initiatives_kpimeasurement_changelist") + f"?kpi__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>Observed at</th><th>Value</th><th>Source</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">All measurements of this KPI</a></p>',
            table,
            url,
        )


@admin.register(KPIMeasurement)
class KPIMeasurementAdmin(TrackedAdmin):
    spec = MEASUREMENT
    search_fields = ("kpi__name", "source", "note")
    autocomplete_fields = ("kpi",)
    # The large table: no facet filters or date drill-down (each would scan it), no second COUNT(*).
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None):
        # The KPI page links here filtered to one KPI, served by the (kpi, observed_at) index.
        return lookup == "kpi__id__exact" or super().lookup_allowed(lookup, value, request)

    writes = services.KPI_MEASUREMENT_WRITES
