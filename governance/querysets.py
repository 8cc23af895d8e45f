"""Reads of the governance app, shared by pages, admin, API and exports."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, models
from django.db.models import Case, CharField, Count, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from vpportal.core.compiled import Statement
from vpportal.core.models import TrackedQuerySet
from vpportal.people.models import Person

from .choices import LEVEL_BANDS, MitigationStatus, RiskStatus


class AISystemQuerySet(TrackedQuerySet):
    search_fields = ("name", "purpose", "provider", "intended_use", "data_categories")

    def with_related(self):
        return super().with_related().select_related("initiative", "owner")

    def of_initiative(self, initiative):
        return self.filter(initiative=initiative)


@dataclass(frozen=True)
class RiskScore:
    """A risk score: likelihood x impact, each factor the first of its fields that is set.

    The one definition of a score: `expression()` is what RiskQuerySet.with_scores() annotates,
    `of(risk)` the same product for a record read without the annotation (or built in memory).
    """

    likelihood: tuple[str, ...]
    impact: tuple[str, ...]

    def expression(self):
        product = _first_set_sql(self.likelihood) * _first_set_sql(self.impact)
        return ExpressionWrapper(product, output_field=IntegerField())

    def of(self, risk) -> int | None:
        likelihood, impact = _first_set(risk, self.likelihood), _first_set(risk, self.impact)
        return None if likelihood is None or impact is None else likelihood * impact


def _first_set_sql(fields):
    return Coalesce(*fields) if len(fields) > 1 else F(fields[0])


def _first_set(record, fields):
    return next((value for name in fields if (value := getattr(record, name)) is not None), None)


# Residual values default to the inherent ones where no residual value is set.
INHERENT_SCORE = RiskScore(("likelihood",), ("impact",))
RESIDUAL_SCORE = RiskScore(("residual_likelihood", "likelihood"), ("residual_impact", "impact"))


def _level_case(score_name: str) -> Case:
    """The level of an annotated score, from LEVEL_BANDS (the one definition of the bands)."""
    return Case(
        *[When(**{f"{score_name}__range": (low, high)}, then=Value(str(level))) for level, low, high in LEVEL_BANDS],
        default=Value(None),
        output_field=CharField(),
    )


class RiskQuerySet(TrackedQuerySet):
    search_fields = ("key", "title", "description")

    def with_related(self):
        return super().with_related().select_related("ai_system", "initiative", "owner", "accepted_by").with_scores()

    def with_scores(self):
        """Scores and levels computed by the database, so lists filter and sort by them.

        `effective_residual_likelihood/impact` are the residual values, or the inherent ones when the
        residual ones are not set (the residual heat map and its filters use them).
        """
        if "inherent_score" in self.query.annotations:
            return self
        return (
            self._with_effective_residuals()
            .annotate(inherent_score=INHERENT_SCORE.expression(), residual_score=RESIDUAL_SCORE.expression())
            .annotate(inherent_level=_level_case("inherent_score"), residual_level=_level_case("residual_score"))
        )

    def _with_effective_residuals(self):
        return self.annotate(
            effective_residual_likelihood=_first_set_sql(RESIDUAL_SCORE.likelihood),
            effective_residual_impact=_first_set_sql(RESIDUAL_SCORE.impact),
        )

    def open(self):
        return self.exclude(status__in=(RiskStatus.ACCEPTED, RiskStatus.CLOSED))

    def review_overdue(self, today=None):
        """A review date in the past on a risk that is not closed."""
        today = today or timezone.localdate()
        return self.filter(next_review_date__lt=today).exclude(status=RiskStatus.CLOSED)

    def concerning_initiative(self, initiative):
        """Risks of the initiative itself or of any of its AI systems."""
        return self.filter(Q(initiative=initiative) | Q(ai_system__initiative=initiative))

    def heat_maps(self, *, inherent: bool = True, residual: bool = True) -> dict[str, dict[tuple[int, int], int]]:
        """{"inherent": {(likelihood, impact): count}, "residual": {...}} in one grouped query.

        Residual uses the effective values (the inherent ones where no residual is set). Grouping by
        all four columns gives at most 625 groups, so both maps cost one scan of the risks.
        """
        residual_keys = ("effective_residual_likelihood", "effective_residual_impact")
        keys = (("likelihood", "impact") if inherent else ()) + (residual_keys if residual else ())
        if self.reads_every_row():
            # Every risk (a reader who sees them all): the statement is compiled once per process.
            with connections[self.db].cursor() as cursor:
                cursor.execute(*_HEAT_MAP_COUNTS.sql(self.db, self.model, keys))
                rows = cursor.fetchall()
        else:
            rows = _heat_map_counts(self, keys)
        maps = {name: {} for name, wanted in (("inherent", inherent), ("residual", residual)) if wanted}
        for *values, n in rows:
            for position, name in enumerate(maps):  # each map's (likelihood, impact) pair, in keys order
                cell = tuple(values[2 * position : 2 * position + 2])
                maps[name][cell] = maps[name].get(cell, 0) + n
        return maps


def _heat_map_counts(risks, keys):
    grouped = risks.order_by()._with_effective_residuals().values(*keys).annotate(n=Count("pk"))
    return grouped.values_list(*keys, "n")


_HEAT_MAP_COUNTS = Statement(lambda model, keys: _heat_map_counts(model._default_manager.all(), keys))


# The mitigations that count towards framework coverage (and are no longer due).
DONE_MITIGATION_STATUSES = (MitigationStatus.IMPLEMENTED, MitigationStatus.VERIFIED)


class MitigationQuerySet(TrackedQuerySet):
    search_fields = ("description", "risk__key", "risk__title")

    def with_related(self):
        return super().with_related().select_related("risk", "owner").prefetch_related("requirements")

    def effective(self):
        """Implemented or verified: the mitigations that count towards framework coverage."""
        return self.filter(status__in=DONE_MITIGATION_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(status__in=DONE_MITIGATION_STATUSES)


# --- policies, acknowledgements and the framework catalogue --------------------------------------
# Models import this module, so model classes are looked up when a method runs.


def _model(name):
    return apps.get_model("governance", name)


def share_percent(part: int, total: int) -> int | None:
    """The one rounding of a share (coverage, acknowledgements): whole percent, None when the total
    is nothing."""
    return round(100 * part / total) if total else None


class SubqueryCount(models.Subquery):
    """COUNT(*) of a correlated subquery: one column in the outer SELECT instead of a GROUP BY join,
    so several counts can sit side by side without multiplying rows."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = models.IntegerField()


APPROVED = "approved"
OPEN_STATUSES = ("draft", "in_review")


def _versions_newest_first():
    """The versions of the outer policy, newest first: "current" and "latest" both read this."""
    return _model("PolicyVersion").objects.filter(policy=models.OuterRef("pk")).order_by("-number")


class PolicyQuerySet(TrackedQuerySet):
    search_fields = ("code", "title")

    def with_related(self):
        requirements = _model("Requirement").objects.select_related("framework")
        return (
            super()
            .with_related()
            .select_related("owner")
            .prefetch_related(models.Prefetch("requirements", queryset=requirements))
            .with_current_version()
        )

    def with_current_version(self):
        """Annotate the current approved version, the latest version and acknowledgement figures.

        `current_version_pk/number`: the approved version in force (None when none is approved);
        `latest_version_number/latest_status`: the newest version whatever its state (the list's
        "status" filter reads it); `acknowledged_count`: active people who acknowledged the current
        version; `active_people`: everyone expected to acknowledge it.
        """
        if "latest_status" in self.query.annotations:
            return self
        versions = _versions_newest_first()
        approved = versions.filter(status=APPROVED)
        acks = _model("Acknowledgement").objects.filter(
            policy_version__policy=models.OuterRef("pk"), policy_version__status=APPROVED, person__active=True
        )
        people = Person.objects.filter(active=True)
        return self.annotate(
            current_version_pk=models.Subquery(approved.values("pk")[:1]),
            current_version_number=models.Subquery(approved.values("number")[:1]),
            latest_version_number=models.Subquery(versions.values("number")[:1]),
            latest_status=models.Subquery(versions.values("status")[:1]),
            acknowledged_count=SubqueryCount(acks.values("pk")),
            active_people=SubqueryCount(people.values("pk")),
        )

    def review_overdue(self, today=None):
        return self.filter(next_review_date__lt=today or timezone.localdate())

    def with_latest_status(self, *statuses):
        """Policies whose newest version is in one of `statuses`."""
        if "latest_status" in self.query.annotations:
            return self.filter(latest_status__in=statuses)
        # Only the one subquery the filter needs, not with_current_version()'s six (the dashboard
        # counts policies in review on every computation).
        newest = _versions_newest_first().values("status")[:1]
        return self.alias(newest_status=models.Subquery(newest)).filter(newest_status__in=statuses)

    def to_acknowledge_by(self, person):
        """Policies whose approved version `person` has not acknowledged yet."""
        pending = (
            _model("PolicyVersion")
            .objects.filter(policy=models.OuterRef("pk"), status=APPROVED)
            .exclude(acknowledgements__person=person)
        )
        return self.filter(models.Exists(pending))


class PolicyVersionQuerySet(TrackedQuerySet):
    label_related = ("policy",)
    search_fields = ("policy__code", "policy__title", "change_summary", "body")

    def with_related(self):
        return super().with_related().select_related("policy", "author", "approved_by")

    def approved(self):
        return self.filter(status=APPROVED)

    def open(self):
        """Versions still being written or reviewed (a policy has at most one)."""
        return self.filter(status__in=OPEN_STATUSES)


class AcknowledgementQuerySet(TrackedQuerySet):
    label_related = ("person", "policy_version__policy")
    search_fields = ("person__name", "policy_version__policy__code", "policy_version__policy__title")

    def with_related(self):
        return super().with_related().select_related("person", "policy_version__policy")

    def of_current_versions(self):
        return self.filter(policy_version__status=APPROVED)


class FrameworkQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "description")

    def with_related(self):
        return super().with_related().with_coverage()

    def with_coverage(self, today=None):
        """Annotate `leaf_count` (the framework's requirements: leaves only, see governance.coverage)
        and `covered_count` (covered leaves), so a list of frameworks shows coverage in one query.
        Groupings (NIST functions and categories) are never counted as requirements: the list,
        the detail page, the dashboard, the report and the API all read these two figures.
        `evidenced_count`: leaves with current evidence on `today` (the current date by default)."""
        if "covered_count" in self.query.annotations:
            return self
        requirements = _model("Requirement").objects.filter(framework=models.OuterRef("pk"))
        leaves = requirements.leaves()
        return self.annotate(
            leaf_count=SubqueryCount(leaves.values("pk")),
            covered_count=SubqueryCount(leaves.covered().values("pk")),
            evidenced_count=SubqueryCount(leaves.evidenced(today).values("pk")),
        )


def _evidence_model():
    from evidence.models import Evidence

    return Evidence


class RequirementQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "text")

    def with_related(self):
        return super().with_related().select_related("framework", "parent")

    def risk_library(self):
        """The entries of the risk library (NIST AI 600-1's generative AI risks), in document order."""
        return self.filter(level="risk").select_related("framework").order_by("framework__title", "position", "code")

    def leaves(self):
        """Requirements nothing hangs under (NIST subcategories, EU AI Act articles): what coverage counts."""
        children = _model("Requirement").objects.filter(parent=models.OuterRef("pk"))
        return self.filter(~models.Exists(children))

    def covered_condition(self):
        """True when an approved policy addresses the requirement or a done mitigation satisfies it."""
        Policy, Mitigation = _model("Policy"), _model("Mitigation")
        by_policy = Policy.requirements.through.objects.filter(
            requirement=models.OuterRef("pk"), policy__versions__status=APPROVED
        )
        by_mitigation = Mitigation.requirements.through.objects.filter(
            requirement=models.OuterRef("pk"), mitigation__status__in=DONE_MITIGATION_STATUSES
        )
        return models.Exists(by_policy) | models.Exists(by_mitigation)

    def covered(self):
        return self.filter(self.covered_condition())

    def evidenced_condition(self, today=None):
        """True when at least one current piece of evidence (evidence.querysets.current_condition:
        no `valid_until` or not past it) is attached to the requirement."""
        from evidence.models import EvidenceLink
        from evidence.querysets import current_condition

        # By the content type's natural key, not its id: this builds without a query (viewsets
        # build their querysets when the URLs load).
        links = EvidenceLink.objects.filter(
            content_type__app_label="governance",
            content_type__model="requirement",
            object_id=models.OuterRef("pk"),
            evidence__in=_evidence_model().objects.filter(current_condition(today)).values("pk"),
        )
        return models.Exists(links)

    def evidenced(self, today=None):
        return self.filter(self.evidenced_condition(today))

    def with_coverage(self):
        children = _model("Requirement").objects.filter(parent=models.OuterRef("pk"))
        return self.annotate(is_leaf=~models.Exists(children), is_covered=self.covered_condition())


# --- incidents and vendors -------------------------------------------------------------------------


def report_deadline_expression():
    """`detected_at` + the Article 73 days of the kind, for a serious incident; NULL otherwise.
    The one definition in SQL of Incident.report_due (REPORT_WITHIN_DAYS holds the days)."""
    from .choices import REPORT_WITHIN_DAYS

    return models.Case(
        *[
            When(
                serious=True,
                serious_kind=kind,
                then=ExpressionWrapper(
                    F("detected_at") + Value(datetime.timedelta(days=days)), output_field=models.DateTimeField()
                ),
            )
            for kind, days in REPORT_WITHIN_DAYS.items()
        ],
        default=Value(None),
        output_field=models.DateTimeField(),
    )


def report_deadline_of(incident):
    """Incident.report_due for a record read without the annotation (the same definition)."""
    from .choices import REPORT_WITHIN_DAYS

    if not incident.serious or not incident.detected_at or incident.serious_kind not in REPORT_WITHIN_DAYS:
        return None
    return incident.detected_at + datetime.timedelta(days=REPORT_WITHIN_DAYS[incident.serious_kind])


class IncidentQuerySet(TrackedQuerySet):
    search_fields = ("key", "title", "description", "authority_reference")

    def with_related(self):
        return (
            super()
            .with_related()
            .select_related("initiative", "owner")
            .prefetch_related(models.Prefetch("ai_systems", queryset=_model("AISystem").objects.order_by("name")))
            .with_deadline()
        )

    def with_deadline(self):
        """`report_due` (the Article 73 deadline, derived) as a column lists filter and sort by."""
        if "report_due" in self.query.annotations:
            return self
        return self.annotate(report_due=report_deadline_expression())

    def open(self):
        return self.exclude(status="closed")

    def report_pending(self):
        """Serious incidents not reported to the authority yet (whatever their status)."""
        return self.filter(serious=True, reported_to_authority_at__isnull=True)

    def report_due_by(self, moment):
        """Pending reports whose deadline is at or before `moment` (overdue ones included)."""
        return self.report_pending().with_deadline().filter(report_due__lte=moment)

    def report_overdue(self, now=None):
        return self.report_pending().with_deadline().filter(report_due__lt=now or timezone.now())

    def concerning_initiative(self, initiative):
        """Incidents that name the initiative or one of its AI systems (each once)."""
        systems = _model("AISystem").objects.filter(initiative=initiative).values("pk")
        involved = _model("Incident").ai_systems.through.objects.filter(
            incident=models.OuterRef("pk"), aisystem__in=systems
        )
        return self.filter(Q(initiative=initiative) | models.Exists(involved))


class VendorQuerySet(TrackedQuerySet):
    search_fields = ("name", "website", "contact_email", "notes")

    def with_related(self):
        return super().with_related().select_related("owner")

    def review_overdue(self, today=None):
        """A review date before `today` on a vendor we still work with."""
        return self.filter(next_review_date__lt=today or timezone.localdate()).exclude(status="offboarded")

    def contract_ending(self, today=None, *, within_days=None):
        """Contracts of vendors we still work with that end within the notice period (ended ones too)."""
        from .choices import CONTRACT_END_NOTICE_DAYS

        today = today or timezone.localdate()
        until = today + datetime.timedelta(days=CONTRACT_END_NOTICE_DAYS if within_days is None else within_days)
        return self.filter(contract_end_date__lte=until).exclude(status="offboarded")
