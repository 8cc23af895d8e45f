"""Reads of the initiatives app, shared by pages, admin, API and exports."""

from datetime import timedelta

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from vpportal.core.models import TrackedQuerySet

from .choices import Cadence, Direction, KPIStatus, MilestoneStatus


class InitiativeQuerySet(TrackedQuerySet):
    search_fields = ("key", "title", "summary", "business_objective")

    def with_related(self):
        return super().with_related().select_related("owner", "executive_sponsor")

    def with_partner_function(self, function: str):
        # JSON lists: `icontains` on the quoted value works on SQLite and PostgreSQL alike.
        return self.filter(partner_functions__icontains=f'"{function}"')

    def tagged(self, tag: str):
        # Tags are normalised to lowercase slugs by the services, so no JSON escaping is needed.
        return self.filter(tags__icontains=f'"{tag.strip().lower()}"')


class MilestoneQuerySet(TrackedQuerySet):
    search_fields = ("title", "initiative__title", "initiative__key")

    def with_related(self):
        return super().with_related().select_related("initiative")

    def open(self):
        return self.exclude(status__in=(MilestoneStatus.DONE, MilestoneStatus.CANCELLED))


# A KPI is stale (grey) when its latest point is older than two cadence periods.
STALE_AFTER = {
    Cadence.DAILY: timedelta(days=2),
    Cadence.WEEKLY: timedelta(days=14),
    Cadence.MONTHLY: timedelta(days=62),
    Cadence.QUARTERLY: timedelta(days=184),
}


class KPIQuerySet(TrackedQuerySet):
    search_fields = ("name", "description", "initiative__title", "initiative__key")

    def with_related(self):
        return super().with_related().select_related("initiative", "owner").with_status()

    def with_status(self, now=None):
        """Annotate `latest_value`, `latest_observed_at` and the derived `status` in the database.

        The one definition of KPI status (lists, detail, API, dashboard). Direction-aware:
        higher_is_better is green at value >= target, amber at warning <= value < target, red below
        the warning threshold (or below target when there is none); lower_is_better mirrors it.
        Grey when there is no target, no measurement, or the latest is older than two cadence periods.
        Each subquery reads one row through the (kpi, observed_at, ...) index.
        """
        measurement_model = self.model._meta.get_field("measurements").related_model
        now = now or timezone.now()
        latest = measurement_model.objects.filter(kpi=OuterRef("pk")).order_by("-observed_at", "-pk")
        stale = Q(latest_observed_at__isnull=True) | Q(target__isnull=True)
        for cadence, period in STALE_AFTER.items():
            stale |= Q(cadence=cadence, latest_observed_at__lt=now - period)
        higher = Q(direction=Direction.HIGHER_IS_BETTER)
        lower = Q(direction=Direction.LOWER_IS_BETTER)
        has_warning = Q(warning_threshold__isnull=False)
        return self.annotate(
            latest_value=Subquery(latest.values("value")[:1], output_field=FloatField()),
            latest_observed_at=Subquery(latest.values("observed_at")[:1], output_field=DateTimeField()),
        ).annotate(
            status=Case(
                When(stale, then=Value(KPIStatus.GREY)),
                When(higher & Q(latest_value__gte=F("target")), then=Value(KPIStatus.GREEN)),
                When(higher & has_warning & Q(latest_value__gte=F("warning_threshold")), then=Value(KPIStatus.AMBER)),
                When(lower & Q(latest_value__lte=F("target")), then=Value(KPIStatus.GREEN)),
                When(lower & has_warning & Q(latest_value__lte=F("warning_threshold")), then=Value(KPIStatus.AMBER)),
                default=Value(KPIStatus.RED),
                output_field=CharField(),
            )
        )


class KPIMeasurementQuerySet(TrackedQuerySet):
    search_fields = ("source", "note")

    def with_related(self):
        return super().with_related().select_related("kpi")

    def trend(self, *, kpi, since=None, until=None, max_points: int = 500):
        """Points `(observed_at, value)` of one KPI in time order, at most about `max_points`.

        Long ranges are averaged per day, week or month in the database, so the chart of a KPI
        with millions of points costs two bounded queries. Returns (points, bucket) where bucket is
        "point", "day", "week" or "month".
        """
        points = self.filter(kpi=kpi)
        if since is not None:
            points = points.filter(observed_at__gte=since)
        if until is not None:
            points = points.filter(observed_at__lte=until)
        stats = points.aggregate(n=Count("pk"), first=Min("observed_at"), last=Max("observed_at"))
        if not stats["n"]:
            return [], "point"
        if stats["n"] <= max_points:
            rows = points.order_by("observed_at", "pk").values_list("observed_at", "value")
            return list(rows), "point"
        days = (stats["last"] - stats["first"]).days + 1
        if days <= max_points:
            bucket, trunc = "day", TruncDay
        elif days / 7 <= max_points:
            bucket, trunc = "week", TruncWeek
        else:
            bucket, trunc = "month", TruncMonth
        rows = (
            points.order_by()
            .annotate(bucket=trunc("observed_at"))
            .values("bucket")
            .annotate(avg=Avg("value"))
            .order_by("bucket")
            .values_list("bucket", "avg")
        )
        return list(rows), bucket


class MentorshipQuerySet(TrackedQuerySet):
    search_fields = ("mentor__name", "mentee__name", "focus_areas", "goals")

    def with_related(self):
        return super().with_related().select_related("mentor", "mentee")


class MentorshipSessionQuerySet(TrackedQuerySet):
    # Never private_notes: search must not reveal them.
    search_fields = ("topics", "action_items", "mentorship__mentor__name", "mentorship__mentee__name")

    def with_related(self):
        return super().with_related().select_related("mentorship__mentor", "mentorship__mentee")


class TrainingQuerySet(TrackedQuerySet):
    search_fields = ("title", "audience")

    def with_related(self):
        return super().with_related().select_related("facilitator")


class TrainingAttendanceQuerySet(TrackedQuerySet):
    search_fields = ("person__name", "training__title")

    def with_related(self):
        return super().with_related().select_related("training", "person")
