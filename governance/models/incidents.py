"""Incidents: what went wrong with an AI system, and the EU AI Act Article 73 report of a serious one
(PRODUCT.md "Incidents"). The report deadline is derived, never stored."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from evidence.registry import accepts_evidence
from vpportal.core.bounds import not_blank
from vpportal.core.derived import derived
from vpportal.core.external import ExternalReference, external_reference_constraints
from vpportal.core.fields import decided_at, decided_by, optional_link
from vpportal.core.models import Tracked
from vpportal.core.workflow import move

from ..choices import REPORT_URGENT_DAYS, IncidentSeverity, IncidentStatus, RiskCategory, SeriousKind
from ..querysets import IncidentQuerySet, report_deadline_of

MSG_CLOSE_NEEDS_ROOT_CAUSE = "Write the root cause before closing the incident."
MSG_CLOSE_NEEDS_LESSONS = "Write the lessons learned before closing the incident."
MSG_CLOSE_NEEDS_REPORT = (
    "A serious incident cannot be closed before it is reported to the authority (EU AI Act Article 73): "
    "record the report first."
)


@accepts_evidence("incidents")
class Incident(Tracked, ExternalReference):
    # The API's `<relation>_display` text of this record (vpportal/core/api_relations.py).
    DISPLAY_FIELDS = ("key", "title")
    key = models.CharField(_("key"), max_length=16, unique=True, null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"),
        max_length=24,
        choices=RiskCategory.choices,
        blank=True,
        default="",
        help_text=_("What kind of harm; a risk raised from the incident starts with it."),
    )
    ai_systems = models.ManyToManyField(
        "governance.AISystem", blank=True, related_name="incidents", verbose_name=_("AI systems involved")
    )
    initiative = optional_link("initiatives.Initiative", "incidents", _("initiative"))
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    detected_at = models.DateTimeField(
        _("detected at"), db_index=True, help_text=_("When we became aware of it: the report deadline runs from here.")
    )
    status = FSMField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    owner = optional_link("vpportal.Person", "incidents", _("owner"))
    root_cause = models.TextField(_("root cause"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    risks = models.ManyToManyField("governance.Risk", blank=True, related_name="incidents", verbose_name=_("risks"))
    mitigations = models.ManyToManyField(
        "governance.Mitigation", blank=True, related_name="incidents", verbose_name=_("corrective actions")
    )
    serious = models.BooleanField(
        _("serious incident"), default=False, help_text=_("A serious incident under EU AI Act Article 73.")
    )
    serious_kind = models.CharField(
        _("kind of serious incident"), max_length=24, choices=SeriousKind.choices, blank=True, default=""
    )
    reported_to_authority_at = decided_at(_("reported to authority at"))
    authority_reference = models.CharField(_("authority reference"), max_length=120, blank=True, editable=False)
    reported_by = decided_by(_("reported by"))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            not_blank("title"),
            models.CheckConstraint(
                condition=Q(detected_at__gte=F("occurred_at")),
                name="%(app_label)s_%(class)s_detected_after_occurred",
                violation_error_message=_("An incident cannot be detected before it occurred."),
            ),
            models.CheckConstraint(
                condition=Q(reported_to_authority_at__isnull=True) | Q(reported_to_authority_at__gte=F("detected_at")),
                name="%(app_label)s_%(class)s_reported_after_detected",
                violation_error_message=_("The report cannot come before the incident was detected."),
            ),
            models.CheckConstraint(
                condition=Q(serious=False, serious_kind="") | (Q(serious=True) & ~Q(serious_kind="")),
                name="%(app_label)s_%(class)s_serious_kind_iff_serious",
                violation_error_message=_("A serious incident names its kind; any other incident has none."),
            ),
            *external_reference_constraints(),
        ]
        indexes = [models.Index(fields=["detected_at", "id"], name="governance_incident_order")]

    def __str__(self):
        return f"{self.key} {self.title}" if self.key else self.title

    # Derived, never stored: IncidentQuerySet.with_deadline() annotates `report_due`.
    report_due = derived(report_deadline_of)

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.CLOSED

    @property
    def is_reported(self) -> bool:
        return self.reported_to_authority_at is not None

    @property
    def report_pending(self) -> bool:
        return self.serious and not self.is_reported

    def report_time_left(self, now=None):
        """The time until the report deadline (negative when overdue); None without a pending report."""
        if not self.report_pending or self.report_due is None:
            return None
        return self.report_due - (now or timezone.now())

    @property
    def report_overdue(self) -> bool:
        left = self.report_time_left()
        return left is not None and left.total_seconds() < 0

    @property
    def report_urgent(self) -> bool:
        """Due within REPORT_URGENT_DAYS (and not overdue yet)."""
        left = self.report_time_left()
        return left is not None and 0 <= left.total_seconds() <= REPORT_URGENT_DAYS * 86400

    @property
    def report_countdown(self) -> str:
        """“3 days 4 hours left”, “overdue by 5 hours”, or "" when nothing is pending."""
        left = self.report_time_left()
        if left is None:
            return ""
        seconds = abs(int(left.total_seconds()))
        days, hours = seconds // 86400, seconds % 86400 // 3600
        minutes = seconds % 3600 // 60
        parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}" if (hours or days) else f"{minutes} min")
        text = " ".join(parts)
        return f"overdue by {text}" if left.total_seconds() < 0 else f"{text} left"

    def closing_blockers(self) -> list[str]:
        """THE rule of closing (PRODUCT.md): a root cause and lessons learned, and a serious incident
        reported first. The close transition's condition and the refusal message both read it."""
        reasons = []
        if not (self.root_cause or "").strip():
            reasons.append(MSG_CLOSE_NEEDS_ROOT_CAUSE)
        if not (self.lessons_learned or "").strip():
            reasons.append(MSG_CLOSE_NEEDS_LESSONS)
        if self.serious and not self.is_reported:
            reasons.append(MSG_CLOSE_NEEDS_REPORT)
        return reasons

    # --- the workflow: open -> investigating -> mitigated -> closed, back one step allowed ------------
    # governance.services.incidents runs these; `incident_transition` refuses anything undeclared.
    investigate = move(status, IncidentStatus.OPEN, IncidentStatus.INVESTIGATING)
    mitigate = move(status, IncidentStatus.INVESTIGATING, IncidentStatus.MITIGATED)
    close = move(
        status,
        IncidentStatus.MITIGATED,
        IncidentStatus.CLOSED,
        conditions=[lambda incident: not incident.closing_blockers()],
    )
    back_to_open = move(status, IncidentStatus.INVESTIGATING, IncidentStatus.OPEN)
    back_to_investigating = move(status, IncidentStatus.MITIGATED, IncidentStatus.INVESTIGATING)
    reopen = move(status, IncidentStatus.CLOSED, IncidentStatus.MITIGATED)
