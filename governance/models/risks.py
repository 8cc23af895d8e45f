from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from evidence.registry import accepts_evidence
from vpportal.core.bounds import not_blank, within
from vpportal.core.derived import derived
from vpportal.core.external import ExternalReference, external_reference_constraints
from vpportal.core.fields import decided_at, decided_by, optional_link
from vpportal.core.models import Tracked
from vpportal.core.record_urls import record_url
from vpportal.core.workflow import move

from ..choices import (
    EUAIActTier,
    Lifecycle,
    MitigationStatus,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    SystemKind,
    level_for,
)
from ..querysets import INHERENT_SCORE, RESIDUAL_SCORE, AISystemQuerySet, MitigationQuerySet, RiskQuerySet

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


def score(verbose_name, **options) -> models.PositiveSmallIntegerField:
    """A risk's score from 1 to 5 (its range constraint in `Risk.Meta` says the same to the database)."""
    return models.PositiveSmallIntegerField(verbose_name, validators=ONE_TO_FIVE, **options)


def vendor_link(related_name: str, help_text) -> models.ForeignKey:
    """The third party a record comes from (an AI system's provider, a third-party risk's source):
    optional, and a vendor that records name cannot be deleted."""
    return optional_link("governance.Vendor", related_name, _("vendor"), on_delete=models.PROTECT, help_text=help_text)


@accepts_evidence("ai_systems")
class AISystem(Tracked, ExternalReference):
    """A model or AI-enabled service in the inventory, with its model-card fields."""

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("name",)

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    initiative = optional_link("initiatives.Initiative", "ai_systems", _("initiative"))
    owner = optional_link("vpportal.Person", "ai_systems", _("owner"))
    kind = models.CharField(_("kind"), max_length=20, choices=SystemKind.choices, default=SystemKind.OTHER)
    provider = models.CharField(_("provider"), max_length=120, default="in-house")
    vendor = vendor_link(
        "ai_systems", _("The third party that provides the model or service; leave empty for an in-house system.")
    )
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.DESIGN, db_index=True
    )
    eu_ai_act_tier = models.CharField(
        _("EU AI Act tier"),
        max_length=16,
        choices=EUAIActTier.choices,
        default=EUAIActTier.UNASSESSED,
        db_index=True,
    )
    processes_personal_data = models.BooleanField(_("processes personal data"), default=False)
    data_categories = models.CharField(_("data categories"), max_length=300, blank=True)
    intended_use = models.TextField(_("intended use"), blank=True)
    out_of_scope_uses = models.TextField(_("out-of-scope uses"), blank=True)
    known_limitations = models.TextField(_("known limitations"), blank=True)
    evaluation_summary = models.TextField(_("evaluation summary"), blank=True)

    objects = AISystemQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("AI system")
        constraints = [not_blank("name"), not_blank("provider"), *external_reference_constraints()]

    def __str__(self):
        return self.name


@accepts_evidence("risks")
class Risk(Tracked, ExternalReference):
    """Something that could go wrong with an AI system or initiative, scored and owned.

    Scores and levels are derived: RiskQuerySet.with_scores() in the database, `derived` here.
    """

    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("key", "title")

    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("category", "status")

    key = models.CharField(_("key"), max_length=16, unique=True, null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=24, choices=RiskCategory.choices, db_index=True)
    ai_system = optional_link(AISystem, "risks", _("AI system"), on_delete=models.CASCADE)
    initiative = optional_link("initiatives.Initiative", "risks", _("initiative"), on_delete=models.CASCADE)
    owner = optional_link("vpportal.Person", "risks", _("owner"))
    vendor = vendor_link("risks", _("For a third-party risk: the vendor it comes from."))
    requirement = optional_link(
        "governance.Requirement",
        "risks",
        _("requirement"),
        on_delete=models.PROTECT,
        help_text=_("The framework requirement or risk-library entry this risk concerns."),
    )
    likelihood = score(_("likelihood"))
    impact = score(_("impact"))
    residual_likelihood = score(
        _("residual likelihood"), null=True, blank=True, help_text=_("After mitigations; defaults to the likelihood.")
    )
    residual_impact = score(
        _("residual impact"), null=True, blank=True, help_text=_("After mitigations; defaults to the impact.")
    )
    status = FSMField(_("status"), max_length=16, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    accepted_by = decided_by(_("accepted by"))
    accepted_at = decided_at(_("accepted at"))
    acceptance_justification = models.TextField(_("acceptance justification"), blank=True, editable=False)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            within("likelihood", 1, 5, name="likelihood_1_5"),
            within("impact", 1, 5, name="impact_1_5"),
            within("residual_likelihood", 1, 5, nullable=True, name="residual_likelihood_1_5"),
            within("residual_impact", 1, 5, nullable=True, name="residual_impact_1_5"),
            models.CheckConstraint(
                condition=Q(ai_system__isnull=False) | Q(initiative__isnull=False),
                name="%(app_label)s_%(class)s_concerns_something",
                violation_error_message=_("A risk concerns an AI system, an initiative, or both."),
            ),
            not_blank("title"),
            models.CheckConstraint(
                condition=Q(vendor__isnull=True) | Q(category=RiskCategory.THIRD_PARTY),
                name="%(app_label)s_%(class)s_vendor_only_third_party",
                violation_error_message=_("Only a risk of category “Third party” names a vendor."),
            ),
            *external_reference_constraints(),
        ]
        indexes = [
            models.Index(fields=["likelihood", "impact"], name="governance_risk_heat"),
            # The default ordering, read backwards: the list page does not sort the table.
            models.Index(fields=["updated_at", "id"], name="governance_risk_order"),
            # The most used filters, each followed by the ordering (benchmarks/lists.py, growth).
            models.Index(fields=["category", "updated_at", "id"], name="governance_risk_category_order"),
            models.Index(fields=["status", "updated_at", "id"], name="governance_risk_status_order"),
        ]

    def __str__(self):
        return f"{self.key} {self.title}" if self.key else self.title

    # Derived, never stored: RiskQuerySet.with_scores() annotates them under these names; a record
    # read without the annotation computes them from the same definitions (querysets.RiskScore).
    inherent_score = derived(INHERENT_SCORE.of)
    residual_score = derived(RESIDUAL_SCORE.of)
    inherent_level = derived(lambda risk: level_for(risk.inherent_score))
    residual_level = derived(lambda risk: level_for(risk.residual_score))

    def get_inherent_level_display(self):
        return RiskLevel(self.inherent_level).label if self.inherent_level else ""

    def get_residual_level_display(self):
        return RiskLevel(self.residual_level).label if self.residual_level else ""

    @property
    def is_open(self) -> bool:
        return self.status not in (RiskStatus.ACCEPTED, RiskStatus.CLOSED)

    # --- the status workflow (governance.services.risks runs these; the rules live there) ---------
    OPEN_STATUSES = (RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.MITIGATING)

    assess = move(status, RiskStatus.IDENTIFIED, RiskStatus.ASSESSED)
    start_mitigating = move(status, [RiskStatus.IDENTIFIED, RiskStatus.ASSESSED], RiskStatus.MITIGATING)
    accept = move(status, OPEN_STATUSES, RiskStatus.ACCEPTED)
    close = move(status, [*OPEN_STATUSES, RiskStatus.ACCEPTED], RiskStatus.CLOSED)
    reopen = move(status, [RiskStatus.ACCEPTED, RiskStatus.CLOSED], RiskStatus.ASSESSED)


@accepts_evidence("mitigations")
class Mitigation(Tracked, ExternalReference):
    # Exact list counts at any size, filtered on these too (vpportal/core/rowcounts.py; the migration
    # that counts the table names the same columns).
    COUNT_DIMENSIONS = ("status",)
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigations", verbose_name=_("risk"))
    description = models.TextField(_("description"))
    owner = optional_link("vpportal.Person", "mitigations", _("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MitigationStatus.choices, default=MitigationStatus.PLANNED, db_index=True
    )
    requirements = models.ManyToManyField(
        "governance.Requirement", blank=True, related_name="mitigations", verbose_name=_("requirements satisfied")
    )

    objects = MitigationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [not_blank("description"), *external_reference_constraints()]
        indexes = [
            models.Index(fields=["due_date", "id"], name="governance_mitigation_order"),
            models.Index(fields=["status", "due_date", "id"], name="governance_mitigation_st_order"),
        ]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return record_url("governance:risk_detail", self.risk_id) + f"#mitigation-{self.pk}"
