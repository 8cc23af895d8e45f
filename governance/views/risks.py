"""Pages of the AI system inventory (a printable model card), the risk register (heat maps, accept
action) and mitigations. Configuration on top of the generic tracked views; rules live in the
services."""

import json

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import generic as django_views

from governance.choices import RiskLevel, RiskStatus
from governance.filtersets.risks import AISystemFilterSet, MitigationFilterSet, RiskFilterSet
from governance.forms.risks import AISystemForm, MitigationForm, RiskAcceptForm, RiskForm
from governance.heat_maps import heat_maps
from governance.models import Incident, Mitigation, Requirement, Risk
from governance.services import risks as services
from governance.specs import AI_SYSTEM, MITIGATION, RISK
from vpportal.core import views as generic
from vpportal.core.bulk import BulkActionView
from vpportal.security import RecentAuthRequiredMixin


# --- AI systems -------------------------------------------------------------------------------------
class AISystemViewMixin:
    spec = AI_SYSTEM
    writes = services.AISYSTEM_WRITES
    # The EU AI Act tier is a legal classification made for each system on its own evidence (it decides
    # the obligations), so it stays on the edit page; owner and lifecycle move in groups (retiring a family).
    bulk_fields = ("owner", "lifecycle_status")


AISystemListView, AISystemUpdateView, AISystemDeleteView, AISystemHistoryView, AISystemBulkView = generic.record_pages(
    AISystemViewMixin,
    "List Update Delete History Bulk",
    form_class=AISystemForm,
    filterset_class=AISystemFilterSet,
)


class AISystemDetailView(AISystemViewMixin, generic.TrackedDetailView):
    """Laid out as a model card that prints on its own (navigation and buttons hide in print)."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["risks"] = (
            Risk.objects.visible_to(self.request.user).with_scores().filter(ai_system=self.object).order_by("key")
        )
        return ctx


class AISystemCreateView(AISystemViewMixin, generic.TrackedCreateView):
    form_class = AISystemForm

    def get_initial(self):
        return {**super().get_initial(), "initiative": self.request.GET.get("initiative")}


# --- risks ------------------------------------------------------------------------------------------
class RiskViewMixin:
    spec = RISK
    writes = services.RISK_WRITES
    bulk_fields = ("owner", "status", "next_review_date")
    bulk_hidden_choices = {"status": (RiskStatus.ACCEPTED,)}  # accepting takes a justification: "Accept risk"


class RiskListView(RiskViewMixin, generic.TrackedListView):
    filterset_class = RiskFilterSet

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["heat_maps"] = heat_maps(self.request.GET, self.get_queryset())
        return ctx


class RiskBulkView(RiskViewMixin, BulkActionView):
    """Change the owner, status or review date of the ticked risks (risk_update, row by row), or export them."""


class RiskDetailView(RiskViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            mitigations=Mitigation.objects.visible_to(user)
            .filter(risk=self.object)
            .select_related("owner")
            .prefetch_related("requirements__framework")
            .order_by("due_date", "id"),
            incidents=Incident.objects.visible_to(user).filter(risks=self.object).order_by("-detected_at", "-id"),
            can_accept=services.may_accept(user, self.object),
            can_add_mitigation=user.has_perm("governance.add_mitigation"),
            can_change_mitigation=user.has_perm("governance.change_mitigation"),
        )
        return ctx


class RiskScoreMixin:
    """The risk form with its inherent and residual scores (governance/risk_form.html): those of the
    values the form holds, and the service's table for the script that updates them."""

    template_name = "governance/risk_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        values = {}
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            value = str(form[name].value() or "")
            values[name] = int(value) if value in {"1", "2", "3", "4", "5"} else None
        scores = []
        for kind, title in (("inherent", "Inherent score"), ("residual", "Residual score")):
            score, level = services.score_of(kind, values)
            factors = services.SCORES[kind]
            scores.append(
                {
                    "kind": kind,
                    "title": title,
                    "score": score,
                    "level": level,
                    "label": RiskLevel(level).label if level else "",
                    "likelihood_ids": json.dumps([form[f].id_for_label for f in factors.likelihood]),
                    "impact_ids": json.dumps([form[f].id_for_label for f in factors.impact]),
                }
            )
        ctx["score_preview"] = {"scores": scores, "table_json": json.dumps(services.score_table())}
        return ctx


class RiskCreateView(RiskScoreMixin, RiskViewMixin, generic.TrackedCreateView):
    form_class = RiskForm
    template_name = "governance/risk_form.html"

    def get_initial(self):
        initial = super().get_initial()
        for name in ("ai_system", "initiative"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        entry = self.library_entry()
        if entry is not None:
            initial.update({name: getattr(v, "pk", v) for name, v in services.library_prefill(entry).items() if v})
        return initial

    def library_entry(self):
        """The risk-library entry named by `?library=<id>`, or None (a 404 for anything else)."""
        if not hasattr(self, "_library_entry"):
            pk = self.request.GET.get("library", "")
            if pk and not (pk.isdigit() and int(pk) < 2**31):  # an id the database can hold
                raise Http404("No such entry of the risk library.")
            self._library_entry = get_object_or_404(Requirement.objects.risk_library(), pk=pk) if pk else None
        return self._library_entry

    def get_context_data(self, **kwargs):
        return super().get_context_data(library_entry=self.library_entry(), **kwargs)


class RiskLibraryView(RiskViewMixin, generic.PermissionMixin, generic.ModelContextMixin, django_views.TemplateView):
    """The risk library to pick from when registering a risk: NIST AI 600-1's generative AI risks,
    each with how many risks of the register concern it."""

    template_name = "governance/risk_library.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visible = Risk.objects.visible_to(self.request.user).filter(requirement=OuterRef("pk")).order_by()
        ctx.update(
            entries=list(
                Requirement.objects.risk_library().annotate(
                    risk_count=Coalesce(Subquery(visible.values("requirement").annotate(n=Count("pk")).values("n")), 0)
                )
            ),
            can_add=self.request.user.has_perm("governance.add_risk"),
        )
        return ctx


class RiskUpdateView(RiskScoreMixin, RiskViewMixin, generic.TrackedUpdateView):
    form_class = RiskForm


class RiskDeleteView(RiskViewMixin, generic.TrackedDeleteView):
    pass


class RiskHistoryView(RiskViewMixin, generic.HistoryView):
    pass


class RiskAcceptView(
    RecentAuthRequiredMixin, RiskViewMixin, generic.PermissionMixin, generic.ModelContextMixin, generic.RecordFormView
):
    """Accept a risk with a written justification (executive or governance), after a recent sign-in."""

    recent_auth_perm = "governance.accept_risk"

    template_name = "governance/risk_accept.html"
    form_class = RiskAcceptForm

    def check_permission(self, obj=None):
        if not self.request.user.has_perm("governance.accept_risk"):
            raise PermissionDenied

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_permission()
        self.object = get_object_or_404(Risk.objects.visible_to(request.user).with_related(), pk=kwargs["pk"])
        return django_views.FormView.dispatch(self, request, *args, **kwargs)

    def apply_service(self, form):
        services.risk_accept(
            risk=self.object,
            by=self.request.user,
            justification=form.cleaned_data["justification"],
            version=form.cleaned_data.get("version"),
        )

    def add_validation_errors(self, form, error):
        for message in error.message_dict.get("justification", error.messages):
            form.add_error("justification", message)

    def success_message(self):
        return f"Risk “{self.object}” accepted."


# --- mitigations ------------------------------------------------------------------------------------
class MitigationViewMixin:
    spec = MITIGATION
    writes = services.MITIGATION_WRITES
    bulk_fields = ("owner", "status", "due_date")  # a mitigation's status is a plain field, no workflow


MitigationListView, MitigationUpdateView, MitigationHistoryView, MitigationBulkView = generic.record_pages(
    MitigationViewMixin, "List Update History Bulk", form_class=MitigationForm, filterset_class=MitigationFilterSet
)


class MitigationDetailView(MitigationViewMixin, generic.PermissionMixin, django_views.View):
    """A mitigation is read on its risk's page."""

    def get(self, request, pk):
        mitigation = get_object_or_404(Mitigation.objects.visible_to(request.user), pk=pk)
        return HttpResponseRedirect(mitigation.get_absolute_url())


class MitigationCreateView(MitigationViewMixin, generic.TrackedCreateView):
    form_class = MitigationForm

    def get_initial(self):
        return {**super().get_initial(), "risk": self.request.GET.get("risk")}


class MitigationDeleteView(MitigationViewMixin, generic.TrackedDeleteView):
    def get_success_url(self):
        return reverse("governance:risk_detail", args=[self.object.risk_id])
