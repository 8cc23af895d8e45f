"""Reads of the governance app, shared by pages, admin, API and exports."""

from django.db.models import Case, CharField, Count, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from vpportal.core.models import TrackedQuerySet

from .choices import LEVEL_BANDS, MitigationStatus, RiskStatus


class AISystemQuerySet(TrackedQuerySet):
    search_fields = ("name", "purpose", "provider", "intended_use", "data_categories")

    def with_related(self):
        return super().with_related().select_related("initiative", "owner")

    def of_initiative(self, initiative):
        return self.filter(initiative=initiative)


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
        return (
            super()
            .with_related()
            .select_related("ai_system", "initiative", "owner", "accepted_by")
            .with_scores()
        )

    def with_scores(self):
        """Scores and levels computed by the database, so lists filter and sort by them.

        `effective_residual_likelihood/impact` are the residual values, or the inherent ones when the
        residual ones are not set (the residual heat map and its filters use them).
        """
        if "inherent_score" in self.query.annotations:
            return self
        return (
            self.annotate(
                effective_residual_likelihood=Coalesce("residual_likelihood", "likelihood"),
                effective_residual_impact=Coalesce("residual_impact", "impact"),
            )
            .annotate(
                inherent_score=ExpressionWrapper(F("likelihood") * F("impact"), output_field=IntegerField()),
                residual_score=ExpressionWrapper(
                    F("effective_residual_likelihood") * F("effective_residual_impact"), output_field=IntegerField()
                ),
            )
            .annotate(inherent_level=_level_case("inherent_score"), residual_level=_level_case("residual_score"))
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

    def heat_map(self, residual: bool = False) -> dict[tuple[int, int], int]:
        """{(likelihood, impact): count} in one grouped query (residual uses the effective values)."""
        keys = (
            ("effective_residual_likelihood", "effective_residual_impact") if residual else ("likelihood", "impact")
        )
        rows = self.with_scores().order_by().values(*keys).annotate(n=Count("pk")).values_list(*keys, "n")
        return {(likelihood, impact): n for likelihood, impact, n in rows}


class MitigationQuerySet(TrackedQuerySet):
    search_fields = ("description", "risk__key", "risk__title")

    def with_related(self):
        return super().with_related().select_related("risk", "owner").prefetch_related("requirements")

    def effective(self):
        """Implemented or verified: the mitigations that count towards framework coverage."""
        return self.filter(status__in=(MitigationStatus.IMPLEMENTED, MitigationStatus.VERIFIED))

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(
            status__in=(MitigationStatus.IMPLEMENTED, MitigationStatus.VERIFIED)
        )


class PolicyQuerySet(TrackedQuerySet):
    search_fields = ("code", "title")

    def with_related(self):
        return super().with_related().select_related("owner").prefetch_related("requirements")


class PolicyVersionQuerySet(TrackedQuerySet):
    search_fields = ("policy__code", "policy__title", "change_summary", "body")

    def with_related(self):
        return super().with_related().select_related("policy", "author", "approved_by")


class AcknowledgementQuerySet(TrackedQuerySet):
    search_fields = ("person__name", "policy_version__policy__code", "policy_version__policy__title")

    def with_related(self):
        return super().with_related().select_related("person", "policy_version__policy")


class FrameworkQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "description")


class RequirementQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "text")

    def with_related(self):
        return super().with_related().select_related("framework", "parent")
