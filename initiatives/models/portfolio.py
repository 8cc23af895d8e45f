import sys

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from vpportal.core.bounds import (
    CLOCK_SKEW,
    CurrencyValidator,
    FiniteValidator,
    at_least,
    currency_shape,
    not_blank,
    within,
)
from vpportal.core.external import ExternalReference, external_reference_constraints
from vpportal.core.fields import optional_link
from vpportal.core.measures import DEFAULT_PRECISION, MAX_PRECISION, format_measure
from vpportal.core.models import Tracked
from vpportal.core.record_urls import record_url
from vpportal.people.choices import Function

from .. import gate
from ..choices import Cadence, Direction, Health, MilestoneStatus, Priority, Stage
from ..querysets import InitiativeQuerySet, KPIMeasurementQuerySet, KPIQuerySet, MilestoneQuerySet

PERCENT = "%"


class Initiative(Tracked, ExternalReference):
    """An AI/ML initiative in the portfolio: what we build, for which goal, and how it is going."""

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("key", "title")

    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("stage", "health", "priority")

    key = models.CharField(_("key"), max_length=16, unique=True, null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    business_objective = models.TextField(_("business objective"), blank=True)
    value_hypothesis = models.TextField(_("value hypothesis"), blank=True)
    # Moves only through the declared transitions below (initiatives.services.portfolio runs them).
    stage = FSMField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.IDEA, db_index=True)
    health = models.CharField(
        _("health"), max_length=16, choices=Health.choices, default=Health.ON_TRACK, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        default=Priority.P3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    owner = models.ForeignKey(
        "vpportal.Person", on_delete=models.PROTECT, related_name="owned_initiatives", verbose_name=_("owner")
    )
    executive_sponsor = optional_link(
        "vpportal.Person", "sponsored_initiatives", _("executive sponsor"), on_delete=models.PROTECT
    )
    # Lists of Person function values / free tags. Filtered with `__icontains='"value"'`, which works
    # on SQLite and PostgreSQL alike (JSON `contains` does not exist on SQLite).
    partner_functions = models.JSONField(_("partner functions"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[CurrencyValidator()], help_text=_("ISO 4217, e.g. EUR.")
    )
    uses_ai = models.BooleanField(
        _("uses AI"),
        default=True,
        help_text=_(
            "Untick for a data or process initiative without an AI system: the stage gate then skips its "
            "AI-system checks."
        ),
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True, editable=False)
    gate_override_justification = models.TextField(_("gate override justification"), blank=True, editable=False)
    # The plain-words reasons of the checks that failed when an executive overrode the gate (empty
    # otherwise): beside the justification, so both are in the initiative's history.
    gate_override_failed_checks = models.JSONField(
        _("checks failed at the gate override"), default=list, blank=True, editable=False
    )

    objects = InitiativeQuerySet.as_manager()

    # The choices of the list fields, so history and pages name them by label ("Legal", not 'legal').
    LIST_CHOICES = {"partner_functions": Function.choices}
    MONEY_FIELDS = {"budget": "currency"}  # "EUR 400,000" on pages (vpportal/core/money.py)

    class Meta:
        ordering = ["priority", "key"]
        # Matches the default ordering: a list page reads 100 index entries instead of sorting the table.
        indexes = [
            models.Index(fields=["priority", "key"], name="initiatives_initiative_order"),
            # The most used filters, each followed by the ordering: a filtered page reads 100 rows
            # of the index, whatever the table's size (benchmarks/lists.py, growth).
            models.Index(fields=["health", "priority", "key"], name="initiatives_init_health_order"),
            models.Index(fields=["stage", "priority", "key"], name="initiatives_init_stage_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(target_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_target_not_before_start",
            ),
            within("priority", 1, 4, name="priority_1_4"),
            not_blank("title"),
            at_least("budget", 0, nullable=True, name="budget_not_negative"),
            currency_shape(),
            *external_reference_constraints(),
        ]

    def __str__(self):
        return f"{self.key} {self.title}" if self.key else self.title

    def clean_fields(self, exclude=None):
        if isinstance(self.currency, str):
            self.currency = self.currency.strip().upper()  # "eur " is EUR
        super().clean_fields(exclude)

    # --- the stage workflow ---------------------------------------------------------------------
    # The forward path one step at a time, one step back, retire from anywhere, reopen a retired one
    # as an idea. Skipping stages is not declared: each gated stage is entered through its gate,
    # which is the condition of the forward moves into pilot and production. An executive may move
    # past a failed gate only through the override transitions, which need `override_gate` and are
    # available only while the gate fails. Who may move at all, and the messages, live in
    # initiatives.services.portfolio, which every channel calls.
    def _entered(self):
        self.stage_changed_at = timezone.now()
        self.gate_override_justification, self.gate_override_failed_checks = "", []

    @transition(field=stage, source=[Stage.DISCOVERY, Stage.RETIRED], target=Stage.IDEA)
    def to_idea(self):
        self._entered()

    @transition(field=stage, source=[Stage.IDEA, Stage.POC], target=Stage.DISCOVERY)
    def to_discovery(self):
        self._entered()

    @transition(field=stage, source=[Stage.DISCOVERY, Stage.PILOT], target=Stage.POC)
    def to_poc(self):
        self._entered()

    @transition(field=stage, source=Stage.POC, target=Stage.PILOT, conditions=[gate.passes(Stage.PILOT)])
    @transition(field=stage, source=Stage.PRODUCTION, target=Stage.PILOT)  # stepping back is not gated
    def to_pilot(self):
        self._entered()

    @transition(field=stage, source=Stage.PILOT, target=Stage.PRODUCTION, conditions=[gate.passes(Stage.PRODUCTION)])
    def to_production(self):
        self._entered()

    @transition(field=stage, source=[s for s in Stage if s != Stage.RETIRED], target=Stage.RETIRED)
    def retire(self):
        self._entered()

    def _overridden(self, justification, failed_checks):
        self._entered()
        self.gate_override_justification, self.gate_override_failed_checks = justification, list(failed_checks)

    override_gate_to_pilot = gate.override_move(stage, Stage.POC, Stage.PILOT, then=_overridden)
    override_gate_to_production = gate.override_move(stage, Stage.PILOT, Stage.PRODUCTION, then=_overridden)


class Milestone(Tracked):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("title",)
    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("status",)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("initiative")
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    done_date = models.DateField(_("done date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [not_blank("title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("initiatives:initiative_detail", self.initiative_id) + f"#milestone-{self.pk}"

    def clean(self):
        if self.done_date and self.done_date > timezone.localdate():
            raise ValidationError({"done_date": _("A milestone cannot be done in the future.")})


class KPI(Tracked):
    """A measure of business value. Its status (green/amber/red/grey) is derived, never stored."""

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("name",)

    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("cadence", "direction")

    initiative = optional_link(
        Initiative,
        "kpis",
        _("initiative"),
        on_delete=models.CASCADE,
        help_text=_("Leave empty for an organisation-wide KPI."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=6, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=6, null=True, blank=True)
    warning_threshold = models.DecimalField(
        _("warning threshold"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    owner = optional_link("vpportal.Person", "kpis", _("owner"))
    precision = models.PositiveSmallIntegerField(
        _("precision"),
        default=DEFAULT_PRECISION,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PRECISION)],
        help_text=_("Decimal places its values are shown with (0 to 6)."),
    )

    objects = KPIQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("KPI")
        indexes = [
            models.Index(fields=["name", "id"], name="initiatives_kpi_order"),
            models.Index(fields=["cadence", "name", "id"], name="initiatives_kpi_cadence_order"),
        ]
        constraints = [
            not_blank("name"),
            # A KPI in percent keeps its baseline, target and warning threshold within 0-100.
            models.CheckConstraint(
                condition=~Q(unit=PERCENT)
                | (
                    (Q(baseline__isnull=True) | Q(baseline__range=(0, 100)))
                    & (Q(target__isnull=True) | Q(target__range=(0, 100)))
                    & (Q(warning_threshold__isnull=True) | Q(warning_threshold__range=(0, 100)))
                ),
                name="%(app_label)s_%(class)s_percent_within_0_100",
            ),
            within("precision", 0, MAX_PRECISION, name="precision_0_6"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_percent(self) -> bool:
        return (self.unit or "").strip() == PERCENT

    def format_value(self, value) -> str:
        """A value of this KPI as every page writes it: its precision, then its unit ("" for none)."""
        return format_measure(value, self.unit, self.precision)

    # The embedded SQLite database keeps decimals as doubles (15 significant digits): a value of
    # 1e14 or more reads back rounded past the column's 20 digits and Django fails to read it.
    VALUE_LIMIT = 10**13

    def clean(self):
        errors = {
            name: _("Enter a value below %(limit)s in size.") % {"limit": f"{self.VALUE_LIMIT:,}"}
            for name in ("baseline", "target", "warning_threshold")
            if getattr(self, name) is not None and abs(getattr(self, name)) >= self.VALUE_LIMIT
        }
        if errors:
            raise ValidationError(errors)
        if self.is_percent:
            errors = {
                name: _("A KPI in percent takes values from 0 to 100.")
                for name in ("baseline", "target", "warning_threshold")
                if getattr(self, name) is not None and not 0 <= getattr(self, name) <= 100
            }
            if errors:
                raise ValidationError(errors)


class KPIMeasurement(Tracked):
    """One observed value of a KPI. The one large table: always query it by (kpi, observed_at)."""

    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("kpi",)

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI"))
    observed_at = models.DateTimeField(_("observed at"))
    value = models.FloatField(_("value"), validators=[FiniteValidator()])
    source = models.CharField(_("source"), max_length=100, blank=True, default="")
    note = models.TextField(_("note"), blank=True)

    objects = KPIMeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name = _("KPI measurement")
        # The unique index leads with (kpi, observed_at): it also serves every range query per KPI.
        # (observed_at, id), read backwards, serves the list across KPIs and its keyset pages.
        indexes = [models.Index(fields=["observed_at", "id"], name="initiatives_measurement_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "observed_at", "source"], name="%(app_label)s_%(class)s_unique_point"
            ),
            # Infinity lies outside the largest double and NaN compares above every number in
            # PostgreSQL, so this refuses both (SQLite has no infinity literal in DDL).
            within("value", -sys.float_info.max, sys.float_info.max, name="value_finite"),
        ]

    def __str__(self):
        return f"{self.kpi_id} @ {self.observed_at:%Y-%m-%d %H:%M}: {self.value}"

    def get_absolute_url(self):
        return record_url("initiatives:kpi_detail", self.kpi_id)

    def clean(self):
        errors = {}
        if self.observed_at and self.observed_at > timezone.now() + CLOCK_SKEW:
            errors["observed_at"] = _("A measurement cannot be observed in the future.")
        if errors:
            raise ValidationError(errors)
