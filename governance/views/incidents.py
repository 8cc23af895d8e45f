"""Pages of incidents (the workflow's moves, the Article 73 report, raising a risk) and vendors.
Configuration on top of the generic tracked views; rules live in governance.services.incidents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import generic as django_views

from governance.choices import IncidentStatus
from governance.filtersets.incidents import IncidentFilterSet, VendorFilterSet
from governance.forms.incidents import IncidentForm, IncidentReportForm, IncidentTransitionForm, VendorForm
from governance.models import AISystem, Incident, Risk
from governance.services import incidents as services
from governance.services import vendors as vendor_services
from governance.specs import INCIDENT, VENDOR
from governance.views.risks import RiskCreateView
from vpportal.core import views as generic
from vpportal.core.services import ConflictError, TransitionError

MOVE_LABELS = {
    IncidentStatus.OPEN: "Back to open",
    IncidentStatus.INVESTIGATING: "Investigate",
    IncidentStatus.MITIGATED: "Mark mitigated",
    IncidentStatus.CLOSED: "Close incident",
}


# --- incidents --------------------------------------------------------------------------------------
class IncidentViewMixin:
    spec = INCIDENT
    writes = services.INCIDENT_WRITES
    # The status moves through the workflow's actions (closing needs root cause and lessons), and the
    # severity decides the reporting deadline: both one incident at a time.
    bulk_fields = ("owner",)


IncidentListView, IncidentUpdateView, IncidentDeleteView, IncidentHistoryView, IncidentBulkView = generic.record_pages(
    IncidentViewMixin, "List Update Delete History Bulk", form_class=IncidentForm, filterset_class=IncidentFilterSet
)


class IncidentDetailView(IncidentViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, incident = self.request.user, self.object
        moves = []
        for status in services.status_moves(incident):
            refusal = services.transition_refusal(user, incident, status)
            if isinstance(refusal, PermissionDenied):
                continue
            moves.append(
                {
                    "status": status,
                    "label": MOVE_LABELS[status]
                    if not (status == IncidentStatus.MITIGATED and incident.status == IncidentStatus.CLOSED)
                    else "Reopen",
                    "blocked": refusal.details if refusal else [],
                }
            )
        ctx.update(
            moves=moves,
            can_report=services.report_refusal(user, incident) is None,
            can_raise_risk=user.has_perm("governance.add_risk") and ctx["can_change"],
            risks=incident.risks.with_scores().order_by("key"),
            mitigations=incident.mitigations.select_related("risk").order_by("due_date", "id"),
        )
        return ctx


class IncidentCreateView(IncidentViewMixin, generic.TrackedCreateView):
    form_class = IncidentForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("initiative"):
            initial["initiative"] = self.request.GET["initiative"]
        if self.request.GET.get("ai_system"):
            initial["ai_systems"] = [self.request.GET["ai_system"]]
        return initial


class _IncidentAction(IncidentViewMixin, generic.PermissionMixin, generic.ModelContextMixin):
    """An action on one incident: needs `change` on it (the service says the rest)."""

    permission_action = "change"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_permission()  # the role first (403), then the record (404 when not visible)
        self.object = get_object_or_404(Incident.objects.visible_to(request.user).with_related(), pk=kwargs["pk"])
        self.check_permission(self.object)
        return django_views.View.dispatch(self, request, *args, **kwargs)


class IncidentTransitionView(_IncidentAction, django_views.View):
    """POST a status: the declared move, or a message saying why not."""

    def post(self, request, pk):
        form = IncidentTransitionForm(request.POST)
        incident = self.object
        if not form.is_valid():
            messages.error(request, "Choose a status to move to.")
            return HttpResponseRedirect(incident.get_absolute_url())
        try:
            services.incident_transition(
                incident=incident,
                by=request.user,
                status=form.cleaned_data["status"],
                version=form.cleaned_data.get("version"),
            )
        except (TransitionError, ConflictError) as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{incident.key} is now {incident.get_status_display().lower()}.")
        return HttpResponseRedirect(incident.get_absolute_url())


class IncidentReportView(_IncidentAction, generic.RecordFormView):
    """Record the Article 73 report to the authority (when, and the authority's reference)."""

    template_name = "governance/incident_report_form.html"
    form_class = IncidentReportForm

    def apply_service(self, form):
        services.incident_report(
            incident=self.object,
            by=self.request.user,
            reported_at=form.cleaned_data.get("reported_at"),
            authority_reference=form.cleaned_data.get("authority_reference", ""),
            version=form.cleaned_data.get("version"),
        )

    def success_message(self):
        return f"The report of {self.object.key} to the authority is recorded."


class IncidentRaiseRiskView(RiskCreateView):
    """The risk form, prefilled from the incident (category, AI system, initiative); the new risk is
    linked to the incident (and so the incident to the risk)."""

    template_name = "governance/risk_from_incident_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not request.user.has_perm("governance.add_risk"):
                raise PermissionDenied
            self.incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=kwargs["pk"])
            if not request.user.has_perm("governance.change_incident", self.incident):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        prefill = services.risk_prefill(self.incident)
        initial = {name: getattr(value, "pk", value) for name, value in prefill.items() if value not in (None, "")}
        return {**super().get_initial(), **initial}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["raised_from"] = self.incident
        return ctx

    def apply_service(self, form):
        return services.risk_raise_from_incident(incident=self.incident, by=self.request.user, data=form.service_data())


# --- vendors ----------------------------------------------------------------------------------------
class VendorViewMixin:
    spec = VENDOR
    writes = vendor_services.VENDOR_WRITES


VendorListView, VendorCreateView, VendorUpdateView, VendorDeleteView, VendorHistoryView = generic.record_pages(
    VendorViewMixin, "List Create Update Delete History", form_class=VendorForm, filterset_class=VendorFilterSet
)


class VendorDetailView(VendorViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, vendor = self.request.user, self.object
        systems = AISystem.objects.visible_to(user).filter(vendor=vendor).select_related("initiative").order_by("name")
        ctx.update(
            systems=systems,
            risks=Risk.objects.visible_to(user).with_scores().filter(vendor=vendor).order_by("key"),
            incidents=Incident.objects.visible_to(user)
            .with_deadline()
            .filter(ai_systems__vendor=vendor)
            .distinct()
            .order_by("-detected_at"),
        )
        return ctx
