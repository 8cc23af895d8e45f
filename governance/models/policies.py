from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from evidence.registry import accepts_evidence
from vpportal.core.bounds import not_blank, within
from vpportal.core.fields import decided_at, decided_by, optional_link
from vpportal.core.models import Tracked
from vpportal.core.record_urls import record_url
from vpportal.core.workflow import move

from ..choices import PolicyCategory, VersionStatus
from ..querysets import AcknowledgementQuerySet, PolicyQuerySet, PolicyVersionQuerySet, share_percent

# A policy is reviewed at least every five years.
MAX_REVIEW_INTERVAL_MONTHS = 60


class Policy(Tracked):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("code", "title")
    code = models.CharField(_("code"), max_length=16, unique=True, null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=PolicyCategory.choices, default=PolicyCategory.OTHER, db_index=True
    )
    owner = optional_link("vpportal.Person", "owned_policies", _("owner"))
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_INTERVAL_MONTHS)],
        help_text=_("From 1 to 60 months."),
    )
    next_review_date = models.DateField(_("next review date"), null=True, blank=True, editable=False)
    requirements = models.ManyToManyField(
        "governance.Requirement", blank=True, related_name="policies", verbose_name=_("requirements addressed")
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("policies")
        constraints = [
            not_blank("title"),
            within("review_interval_months", 1, MAX_REVIEW_INTERVAL_MONTHS, name="review_interval_1_60_months"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}" if self.code else self.title

    # The properties below read annotations of PolicyQuerySet.with_current_version() (no query).
    @property
    def acknowledgement_rate(self) -> int | None:
        """Percent of active people who acknowledged the current approved version."""
        if getattr(self, "current_version_pk", None) is None:
            return None
        return share_percent(self.acknowledged_count, getattr(self, "active_people", 0))

    @property
    def latest_status_label(self) -> str:
        status = getattr(self, "latest_status", None)
        return VersionStatus(status).label if status else "no version"

    @property
    def current_version_label(self) -> str:
        number = getattr(self, "current_version_number", None)
        return f"v{number}" if number else "none approved"


@accepts_evidence("policy_versions", label_related=("policy",))
class PolicyVersion(Tracked):
    """One text of a policy. Workflow: draft -> in_review -> approved -> superseded/retired."""

    TEXT_LIMITS = {"body": 200_000}  # a policy in Markdown is longer than other texts

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("policy"))
    number = models.PositiveIntegerField(_("number"), editable=False)
    body = models.TextField(_("body (Markdown)"), blank=True)
    change_summary = models.CharField(_("change summary"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_policy_versions",
        verbose_name=_("author"),
        editable=False,
    )
    status = FSMField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    approved_by = decided_by(_("approved by"))
    approved_at = decided_at(_("approved at"))
    review_comment = models.TextField(_("review comment"), blank=True, editable=False)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self):
        return f"{self.policy.code} v{self.number}"  # costs a query unless policy is selected

    # The workflow moves. Who may make them and why a move is refused (separation of duties) is
    # decided in governance.services.policies, which every channel calls; these only move state.
    @transition(field=status, source=VersionStatus.DRAFT, target=VersionStatus.IN_REVIEW)
    def submit(self):
        self.review_comment = ""

    @transition(field=status, source=VersionStatus.IN_REVIEW, target=VersionStatus.APPROVED)
    def approve(self, *, by, at):
        self.approved_by, self.approved_at = by, at

    @transition(field=status, source=VersionStatus.IN_REVIEW, target=VersionStatus.DRAFT)
    def reject(self, *, comment):
        self.review_comment = comment

    supersede = move(status, VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    retire = move(status, VersionStatus.APPROVED, VersionStatus.RETIRED)


class Acknowledgement(Tracked):
    person = models.ForeignKey(
        "vpportal.Person", on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("person")
    )
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("policy version")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "policy_version"], name="%(app_label)s_%(class)s_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.person} acknowledged {self.policy_version}"

    def get_absolute_url(self):
        return record_url("governance:policy_detail", self.policy_version.policy_id)
