"""Reads of the initiatives app, shared by pages, admin, API and exports."""

import operator
from datetime import timedelta
from functools import reduce

from django.db import connections, models
from django.db.models import (
    Avg,
    Case,
    CharField,
    DateTimeField,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, RowNumber, TruncDay, TruncMonth, TruncWeek
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone

from vpportal.core.compiled import Statement
from vpportal.core.models import TrackedQuerySet
from vpportal.core.private_fields import reader_of
from vpportal.permissions import sees_every_mentorship

from .choices import AttendanceStatus, Cadence, Direction, KPIStatus, MilestoneStatus


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
        # The status is decided inside one subquery on the latest point (its value and time against
        # the KPI's own fields), so the database probes the index three times per KPI, not nine (an
        # annotation referenced in a CASE is repeated in the SQL each time it is named).
        target, warning = OuterRef("target"), OuterRef("warning_threshold")
        higher = Q(Exact(OuterRef("direction"), Direction.HIGHER_IS_BETTER))
        lower = Q(Exact(OuterRef("direction"), Direction.LOWER_IS_BETTER))
        has_warning = Q(IsNull(warning, False))
        stale = Q(IsNull(target, True))
        for cadence, period in STALE_AFTER.items():
            stale |= Q(Exact(OuterRef("cadence"), cadence)) & Q(observed_at__lt=now - period)
        point_status = Case(
            When(stale, then=Value(KPIStatus.GREY)),
            When(higher & Q(value__gte=target), then=Value(KPIStatus.GREEN)),
            When(higher & has_warning & Q(value__gte=warning), then=Value(KPIStatus.AMBER)),
            When(lower & Q(value__lte=target), then=Value(KPIStatus.GREEN)),
            When(lower & has_warning & Q(value__lte=warning), then=Value(KPIStatus.AMBER)),
            default=Value(KPIStatus.RED),
            output_field=CharField(),
        )
        return self.annotate(
            latest_value=Subquery(latest.values("value")[:1], output_field=FloatField()),
            latest_observed_at=Subquery(latest.values("observed_at")[:1], output_field=DateTimeField()),
            # No point at all: grey.
            status=Coalesce(
                Subquery(latest.annotate(point_status=point_status).values("point_status")[:1]),
                Value(KPIStatus.GREY),
                output_field=CharField(),
            ),
        )

    def status_overview(self, worst: int, order, now=None) -> tuple[dict[str, int], list[tuple[int, str]]]:
        """({status: count}, [(kpi id, status)] of the `worst` KPIs): `status_overview_records()`
        with the KPIs reduced to their id and status."""
        counts, kpis = self.status_overview_records(worst, order, now)
        return counts, [(kpi.pk, kpi.status) for kpi in kpis]

    def status_overview_records(self, worst: int, order, now=None) -> tuple[dict[str, int], list]:
        """({status: count}, the `worst` KPIs as model instances) in one statement.

        `order` lists the statuses worst first; the worst KPIs are sorted by it, then by name and id,
        each with its `status` and its initiative (its key only; other fields load on access). The
        status (`with_status()`, the one definition) is decided once per KPI in an inner query;
        window functions over it give every status's count and the ranking. Returns at most
        `worst` + len(order) rows whatever the number of KPIs. Over every KPI (a reader who sees
        them all) the statement is compiled once per process and `now` bound into it
        (vpportal/core/compiled.py): building and compiling the status expression cost more than
        running it."""
        now = now or timezone.now()
        if self.reads_every_row():
            sql, params = _STATUS_OVERVIEW_RECORDS.sql(self.db, self.model, self.db, tuple(order), now=now)
        else:
            sql, params = _status_overview_sql(self, self.db, tuple(order), now)
        rows = list(self.model._default_manager.db_manager(self.db).raw(sql, [*params, worst]))
        counts = {row.status: row.n for row in rows}
        initiative, reader = self.model._meta.get_field("initiative"), reader_of(self)
        kpis = []
        for kpi in rows:
            if kpi.rn > worst:
                continue
            kpi._private_reader = reader  # as the queryset's own instances (Tracked.refresh_from_db)
            if kpi.initiative_id is not None:
                related = initiative.related_model.from_db(
                    self.db, ["id", "key"], [kpi.initiative_id, kpi.overview_initiative_key]
                )
                initiative.set_cached_value(kpi, related)
            del kpi.n, kpi.rn, kpi.overview_initiative_key
            kpis.append(kpi)
        return counts, kpis


def _status_overview_sql(kpis, using: str, order: tuple, now) -> tuple[str, list]:
    """The statement of `KPIQuerySet.status_overview_records()` (its last parameter, `worst`, left
    open): each ranked row with its KPI's columns and its initiative's key."""
    inner, inner_params = (
        kpis.with_status(now).order_by().values("id", "name", "status").query.get_compiler(using=using).as_sql()
    )
    if connections[using].vendor == "postgresql":
        # OFFSET 0 keeps PostgreSQL from flattening the inner query into the outer one, which
        # would copy the status subquery into each place the outer query names `status`.
        inner += " OFFSET 0"
    rank = "CASE status " + " ".join(f"WHEN %s THEN {i}" for i in range(len(order))) + f" ELSE {len(order)} END"
    ranked = (
        f"(SELECT id, status, "
        f"COUNT(*) OVER (PARTITION BY status) AS n, "
        f"ROW_NUMBER() OVER (ORDER BY {rank}, name, id) AS rn, "
        f"ROW_NUMBER() OVER (PARTITION BY status ORDER BY id) AS status_rn "
        f"FROM ({inner}) AS kpi_status) AS ranked"
    )
    where = "WHERE ranked.rn <= %s OR ranked.status_rn = 1 ORDER BY ranked.rn"
    quote = connections[using].ops.quote_name
    meta = kpis.model._meta
    initiative = meta.get_field("initiative").related_model._meta
    columns = ", ".join(f"record.{quote(f.column)}" for f in meta.concrete_fields if not f.primary_key)
    sql = (
        f"SELECT ranked.id, ranked.status, ranked.n, ranked.rn, {columns}, "
        f"initiative.{quote(initiative.get_field('key').column)} AS overview_initiative_key FROM {ranked} "
        f"INNER JOIN {quote(meta.db_table)} record ON record.{quote(meta.pk.column)} = ranked.id "
        f"LEFT JOIN {quote(initiative.db_table)} initiative "
        f"ON initiative.{quote(initiative.pk.column)} = record.{quote(meta.get_field('initiative').column)} {where}"
    )
    return sql, [*order, *inner_params]


_STATUS_OVERVIEW_RECORDS = Statement(
    lambda model, using, order, now: _status_overview_sql(model._default_manager.all(), using, order, now)
)


class KPIMeasurementQuerySet(TrackedQuerySet):
    search_fields = ("source", "note")

    def with_related(self):
        return super().with_related().select_related("kpi")

    def trend(self, *, kpi, since=None, until=None, max_points: int = 500):
        """Points `(observed_at, value)` of one KPI in time order, at most about `max_points`.

        Long ranges are averaged per day, week or month in the database, so the chart of a KPI
        with millions of points costs two bounded queries (a short series one). Returns (points, bucket) where bucket is
        "point", "day", "week" or "month".
        """
        points = self.filter(kpi=kpi)
        if since is not None:
            points = points.filter(observed_at__gte=since)
        if until is not None:
            points = points.filter(observed_at__lte=until)
        # The first `max_points + 1` points, each carrying the newest point's time (an uncorrelated
        # subquery, evaluated once): a short series is answered by this one statement, and a long one
        # is never counted (a COUNT of a year of minute points cost half as much as its averages).
        newest = points.order_by("-observed_at").values("observed_at")[:1]
        head = list(
            points.order_by("observed_at", "pk").values_list(
                "observed_at", "value", Subquery(newest, output_field=DateTimeField())
            )[: max_points + 1]
        )
        if len(head) <= max_points:
            return [(observed_at, value) for observed_at, value, _ in head], "point"
        days = (head[0][2] - head[0][0]).days + 1
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

    def latest_per_kpi(self, kpi_ids, per_kpi: int = 20):
        """The newest `per_kpi` points of each KPI in `kpi_ids`, as `(kpi_id, observed_at, value)` in
        time order, in one query whatever the number of KPIs (the dashboard's and report's sparklines).

        On PostgreSQL a LATERAL join reads `per_kpi` rows of each KPI through the (kpi, observed_at)
        index; elsewhere a window over the KPIs' points (fine at the sizes SQLite serves)."""
        kpi_ids = list(dict.fromkeys(kpi_ids))
        if not kpi_ids:
            return []
        if connections[self.db].vendor == "postgresql" and not self.query.where:
            # One LATERAL index scan of `per_kpi` rows per KPI, even of one with a year of minute points
            # (a filtered queryset takes the window path below, which keeps its filters).
            table = self.model._meta.db_table
            with connections[self.db].cursor() as cursor:
                cursor.execute(
                    f"SELECT k.id, p.observed_at, p.value FROM unnest(%s::bigint[]) AS k(id) "
                    f"CROSS JOIN LATERAL (SELECT m.observed_at, m.value, m.id FROM {table} m WHERE m.kpi_id = k.id "
                    f"ORDER BY m.observed_at DESC, m.id DESC LIMIT %s) AS p ORDER BY k.id, p.observed_at, p.id",
                    [kpi_ids, per_kpi],
                )
                return [tuple(row) for row in cursor.fetchall()]
        ranked = (
            self.filter(kpi_id__in=kpi_ids)
            .annotate(
                rank=models.Window(
                    RowNumber(),
                    partition_by=[F("kpi_id")],
                    order_by=[F("observed_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=per_kpi)
            .order_by("kpi_id", "observed_at", "pk")
        )
        return list(ranked.values_list("kpi_id", "observed_at", "value"))


def _takes_part(user, *paths) -> models.Q:
    """Rows where the user's Person is at one of `paths` (joined in SQL: no look-up of the person)."""
    return reduce(operator.or_, (models.Q(**{f"{path}__user_id": user.pk}) for path in paths))


class MentorshipQuerySet(TrackedQuerySet):
    label_related = ("mentor", "mentee")
    search_fields = ("mentor__name", "mentee__name", "focus_areas", "goals")

    def visible_to(self, user):
        # A contributor sees only the mentorships they take part in (PRODUCT.md, roles).
        visible = super().visible_to(user)
        if user is None or sees_every_mentorship(user) or not user.is_authenticated:
            return visible
        return visible.filter(_takes_part(user, "mentor", "mentee"))

    def restricted_ids_for(self, user):
        return None if sees_every_mentorship(user) else self.visible_to(user).order_by().values("pk")

    def with_related(self):
        return (
            super()
            .with_related()
            .select_related("mentor", "mentee")
            .annotate(session_count=models.Count("sessions"), last_session_on=models.Max("sessions__held_on"))
        )

    def involving(self, person):
        """Mentorships where `person` is the mentor or the mentee."""
        if person is None:
            return self.none()
        return self.filter(models.Q(mentor=person) | models.Q(mentee=person))

    def mine_first(self, person):
        """The person's own mentorships (as mentor or mentee) first, then the usual order."""
        if person is None:
            return self
        mine = models.Q(mentor=person) | models.Q(mentee=person)
        return self.annotate(
            is_mine=models.Case(
                models.When(mine, then=models.Value(1)),
                default=models.Value(0),
                output_field=models.IntegerField(),
            )
        ).order_by("-is_mine", *self.model._meta.ordering)


class MentorshipSessionQuerySet(TrackedQuerySet):
    # Never private_notes: search must not reveal them.
    search_fields = ("topics", "action_items", "mentorship__mentor__name", "mentorship__mentee__name")

    def visible_to(self, user):
        """The sessions of the mentorships the user sees, their private notes masked in SQL for anyone
        but the participants recorded with each session and executives (the column's own rule,
        `PrivateTextField`): `values()`, `only()`, `iterator()`, filters and orderings all read the
        mask. Joins the mentorship, which the object rules (edit, delete) look at."""
        visible = super().visible_to(user)
        if user is not None and user.is_authenticated and not sees_every_mentorship(user):
            visible = visible.filter(
                _takes_part(user, "mentorship__mentor", "mentorship__mentee", "held_mentor", "held_mentee")
            )
        return visible.select_related("mentorship")

    def restricted_ids_for(self, user):
        return None if sees_every_mentorship(user) else self.visible_to(user).order_by().values("pk")

    def with_related(self):
        return super().with_related().select_related("mentorship__mentor", "mentorship__mentee")


class TrainingQuerySet(TrackedQuerySet):
    search_fields = ("title", "audience")

    def with_related(self):
        return super().with_related().select_related("facilitator").annotate(attendee_count=models.Count("attendances"))

    def upcoming(self, today):
        return self.filter(held_on__gte=today)

    def past(self, today):
        return self.filter(held_on__lt=today)

    def upcoming_first(self, today):
        """Upcoming trainings soonest first, then past ones latest first."""
        is_upcoming = models.Q(held_on__gte=today)
        return self.annotate(
            is_upcoming=models.Case(
                models.When(is_upcoming, then=models.Value(1)),
                default=models.Value(0),
                output_field=models.IntegerField(),
            ),
            upcoming_on=models.Case(models.When(is_upcoming, then=models.F("held_on")), default=None),
        ).order_by("-is_upcoming", models.F("upcoming_on").asc(nulls_last=True), "-held_on", "id")

    def with_seat_for(self, person):
        """Trainings `person` has a seat at (registered, attended or no-show): "my trainings"."""
        if person is None:
            return self.none()
        return self.filter(attendances__person=person)  # one seat per person and training: no repeats

    def with_seat_of(self, person):
        """Annotate `my_status`: the attendance status of `person` (None when not registered)."""
        if person is None:
            return self.annotate(my_status=models.Value(None, output_field=models.CharField()))
        seat = self.model._meta.get_field("attendances").related_model.objects.filter(
            training=models.OuterRef("pk"), person=person
        )
        return self.annotate(my_status=models.Subquery(seat.values("status")[:1]))


class TrainingAttendanceQuerySet(TrackedQuerySet):
    label_related = ("person", "training")
    search_fields = ("person__name", "training__title")

    def with_related(self):
        return super().with_related().select_related("training", "person")

    def ai_literacy_between(self, start, end):
        """Attended AI-literacy trainings held from `start` to `end`, both days included."""
        return self.filter(
            status=AttendanceStatus.ATTENDED,
            training__counts_as_ai_literacy=True,
            training__held_on__gte=start,
            training__held_on__lte=end,
        )
