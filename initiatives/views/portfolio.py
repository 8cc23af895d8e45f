"""Portfolio pages: initiatives (list, board, detail with gate checklist and transition), milestones,
KPIs (list, detail with trend chart and paged measurements) and adding measurements.

Views are configuration over vpportal.core.views; every write goes through services.portfolio.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import generic as django_generic
from django.views.decorators.http import require_POST

from initiatives.charts import kpi_chart_data, sparkline
from vpportal.core import views as generic
from vpportal.core.bulk import BulkActionView
from vpportal.core.services import ConflictError, TransitionError
from vpportal.permissions import perm_name
from vpportal.security import require_recent_auth

from .. import gate
from ..choices import Stage
from ..filtersets.portfolio import InitiativeFilterSet, KPIFilterSet, MilestoneFilterSet
from ..forms.portfolio import InitiativeForm, KPIForm, MeasurementForm, MilestoneForm, TransitionForm
from ..models import KPI, Initiative, KPIMeasurement, Milestone
from ..services import portfolio as services
from ..specs import INITIATIVE, KPI_SPEC, MILESTONE

BOARD_CARDS_PER_STAGE = 50
SPARKLINE_POINTS = 30


# --- initiatives ---------------------------------------------------------------------------------
class InitiativeViewMixin:
    spec = INITIATIVE
    writes = services.INITIATIVE_WRITES
    bulk_fields = ("owner", "target_date")  # stage moves pass the gate, one initiative at a time


class InitiativeBulkView(InitiativeViewMixin, BulkActionView):
    """Change the owner or target date of the ticked initiatives (initiative_update, row by row), or export them."""


class InitiativeListView(InitiativeViewMixin, generic.TrackedListView):
    filterset_class = InitiativeFilterSet


class InitiativeBoardView(
    InitiativeViewMixin, generic.PermissionMixin, generic.ModelContextMixin, django_generic.TemplateView
):
    """Columns by stage, filtered like the list (stage excepted). One count query plus one bounded
    query per stage, whatever the portfolio size."""

    template_name = "initiatives/initiative_board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        base = Initiative.objects.visible_to(self.request.user).with_related()
        data = self.request.GET.copy()
        data.pop("stage", None)
        filterset = InitiativeFilterSet(data, queryset=base, request=self.request)
        queryset = filterset.qs if filterset.is_valid() else base.none()
        counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")))
        columns = []
        for stage, label in Stage.choices:
            cards = list(queryset.filter(stage=stage).order_by("priority", "key")[:BOARD_CARDS_PER_STAGE])
            columns.append({"stage": stage, "label": label, "cards": cards, "count": counts.get(stage, 0)})
        query = data.copy()
        ctx.update(filter=filterset, columns=columns, querystring=query.urlencode(), limit=BOARD_CARDS_PER_STAGE)
        return ctx


class InitiativeDetailView(InitiativeViewMixin, generic.TrackedDetailView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        initiative, user = self.object, self.request.user
        kpis = list(KPI.objects.filter(initiative=initiative).with_related())
        for kpi, points in zip(kpis, _recent_points(kpis), strict=True):
            kpi.sparkline = sparkline(
                points, target=kpi.target, warning=kpi.warning_threshold, unit=kpi.unit, precision=kpi.precision
            )
        gated_stage = services.next_gated_stage(initiative.stage)
        ctx.update(
            milestones=initiative.milestones.all(),
            kpis=kpis,
            gated_stage=gated_stage,
            gated_stage_label=services.stage_label(gated_stage) if gated_stage else "",
            gate_results=gate.evaluate(initiative, gated_stage) if gated_stage else [],
            transition_form=TransitionForm(initiative=initiative, user=user) if ctx["can_change"] else None,
            can_add_milestone=user.has_perm(perm_name(Milestone, "add")),
            can_add_kpi=user.has_perm(perm_name(KPI, "add")),
        )
        return ctx


def _recent_points(kpis):
    """The last SPARKLINE_POINTS values of each KPI (oldest first), in one bounded query."""
    if not kpis:
        return []
    since = timezone.now() - timedelta(days=400)
    rows = (
        KPIMeasurement.objects.filter(kpi__in=kpis, observed_at__gte=since)
        .annotate(rank=Window(RowNumber(), partition_by=F("kpi_id"), order_by=F("observed_at").desc()))
        .filter(rank__lte=SPARKLINE_POINTS)
        .values_list("kpi_id", "observed_at", "value")
    )
    by_kpi = {kpi.pk: [] for kpi in kpis}
    for kpi_id, observed_at, value in rows:
        by_kpi[kpi_id].append((observed_at, value))
    return [sorted(by_kpi[kpi.pk]) for kpi in kpis]


InitiativeCreateView, InitiativeUpdateView, InitiativeDeleteView, InitiativeHistoryView = generic.record_pages(
    InitiativeViewMixin, "Create Update Delete History", form_class=InitiativeForm
)


def _overrides_gate(request) -> bool:
    return bool(request.POST.get("override_justification", "").strip())


@require_POST
@require_recent_auth(perm="initiatives.override_gate", when=_overrides_gate)  # overriding needs a recent sign-in
def initiative_transition(request, pk):
    """The page channel of services.initiative_transition: refusals come back as messages listing
    each failed check, and the detail page shows the checklist again."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), pk=pk)
    form = TransitionForm(request.POST, initiative=initiative, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose one of the stages this initiative may move to.")
        return HttpResponseRedirect(initiative.get_absolute_url())
    try:
        services.initiative_transition(
            initiative=initiative,
            by=request.user,
            stage=form.cleaned_data["stage"],
            override_justification=form.cleaned_data.get("override_justification", ""),
            version=form.cleaned_data.get("version"),
        )
    except PermissionDenied as error:
        if not str(error):
            raise
        messages.error(request, str(error))
    except TransitionError as error:
        messages.error(request, " ".join([error.message, *error.details]))
    except (ConflictError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.success(request, f"{initiative} moved to {services.stage_label(initiative.stage)}.")
    return HttpResponseRedirect(initiative.get_absolute_url())


# --- milestones ----------------------------------------------------------------------------------
class MilestoneViewMixin:
    spec = MILESTONE
    writes = services.MILESTONE_WRITES


MilestoneListView, MilestoneHistoryView = generic.record_pages(
    MilestoneViewMixin, "List History", filterset_class=MilestoneFilterSet
)


class MilestoneCreateView(MilestoneViewMixin, generic.TrackedCreateView):
    form_class = MilestoneForm

    def get_initial(self):
        return {"initiative": self.request.GET.get("initiative")}

    def get_success_url(self):
        return self.object.get_absolute_url()


class MilestoneUpdateView(MilestoneViewMixin, generic.TrackedUpdateView):
    form_class = MilestoneForm

    def get_success_url(self):
        return self.object.get_absolute_url()


class MilestoneDeleteView(MilestoneViewMixin, generic.TrackedDeleteView):
    def get_success_url(self):
        return reverse("initiatives:initiative_detail", args=[self.object.initiative_id])


# --- KPIs ----------------------------------------------------------------------------------------
class KPIViewMixin:
    spec = KPI_SPEC
    writes = services.KPI_WRITES
    bulk_fields = ("owner",)  # targets and thresholds are per KPI, read against its own unit


KPIListView, KPIUpdateView, KPIDeleteView, KPIHistoryView, KPIBulkView = generic.record_pages(
    KPIViewMixin, "List Update Delete History Bulk", form_class=KPIForm, filterset_class=KPIFilterSet
)

TREND_RANGES = {"90": 90, "365": 365, "all": None}


class KPIDetailView(KPIViewMixin, generic.TrackedDetailView):
    measurements_per_page = 20
    numbers_shown = ("baseline", "target", "warning_threshold")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kpi = self.object
        # Stored with six decimals; shown with the KPI's precision and unit like its measurements.
        ctx["numbers"] = [(self.spec.label(name), getattr(kpi, name)) for name in self.numbers_shown]
        span = self.request.GET.get("range", "365")
        days = TREND_RANGES.get(span, 365)
        since = timezone.now() - timedelta(days=days) if days else None
        points, bucket = KPIMeasurement.objects.trend(kpi=kpi, since=since)
        # Newest first; the paginator's count and slice both use the (kpi, observed_at) index.
        measurements = (
            KPIMeasurement.objects.filter(kpi=kpi).select_related("created_by__person").order_by("-observed_at", "-pk")
        )
        page = Paginator(measurements, self.measurements_per_page).get_page(self.request.GET.get("page"))
        ctx.update(
            chart=kpi_chart_data(kpi, points, bucket),
            bucket=bucket,
            range=span if span in TREND_RANGES else "365",
            ranges=[("90", "90 days"), ("365", "1 year"), ("all", "All")],
            page_obj=page,
            measurements=page.object_list,
            can_add_measurement=self.request.user.has_perm(perm_name(KPIMeasurement, "add")),
            measurement_form=kwargs.get("measurement_form")
            or MeasurementForm(initial={"observed_at": timezone.localtime().replace(second=0, microsecond=0)}),
        )
        return ctx


class KPICreateView(KPIViewMixin, generic.TrackedCreateView):
    form_class = KPIForm

    def get_initial(self):
        return {"initiative": self.request.GET.get("initiative")}


class KPIMeasurementAddView(KPIDetailView):
    """POST of the add-measurement form on the KPI page: on errors the page shows again with them."""

    http_method_names = ["post"]

    def check_permission(self, obj=None):
        if not self.request.user.has_perm(perm_name(KPIMeasurement, "add")):
            raise PermissionDenied

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                services.kpi_measurement_create(by=request.user, data={**form.service_data(), "kpi": self.object})
            except ValidationError as error:
                generic._add_errors(form, error)
            else:
                messages.success(request, "Measurement added.")
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(measurement_form=form), status=200)
