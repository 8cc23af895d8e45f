"""Every figure of the dashboard (page and API alike), computed from the areas' QuerySets.

One function, `dashboard(user)`, builds them all in a bounded number of queries that does not grow
with the data: grouped counts instead of per-row queries, one windowed query for every sparkline,
one UNION for recent activity. Each figure carries the URL of the filtered list it counts; the
list uses the same FilterSet, so the figure and the list always agree (tests check each one).

Bounds: sparklines for at most SPARK_KPIS KPIs (worst status first), each with its newest
SPARK_POINTS points; recent activity is ACTIVITY_LIMIT lines of the newest history events, repeated
changes grouped (leadership/reports/activity.py).

The reads whose SQL does not depend on the reader (counts, coverage, the KPI status overview) are
compiled once per process for readers who see every row (vpportal/core/compiled.py): building and
compiling them cost more than running them.

A computed dashboard is reused for CACHE_SECONDS while the history watermark (the newest history
id of every tracked model) is unchanged: between writes a leader's dashboard costs one query. The
page reuses the dashboard's objects, the API its answer as plain data (`dashboard_data()`).
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone

from governance.choices import IncidentStatus
from governance.heat_maps import heat_maps
from governance.models import Framework, Incident, Mitigation, Policy, Risk
from initiatives.charts import sparkline
from initiatives.choices import Health, KPIStatus, Stage
from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from initiatives.services.team import ai_literacy_counts_sql, ai_literacy_coverage, ai_literacy_window
from leadership.reports.activity import ACTIVITY_LIMIT, recent_activity
from leadership.reports.audit_trail import history_watermark
from vpportal.core.compiled import Statement, sql_of
from vpportal.core.counting import count_together_sql, counts_of_row, run_count_together
from vpportal.core.record_urls import page_url
from vpportal.people.models import Person

SPARK_KPIS = 12
SPARK_POINTS = 20
# Worst first: the KPIs that need attention get the sparklines.
STATUS_ORDER = (KPIStatus.RED, KPIStatus.AMBER, KPIStatus.GREY, KPIStatus.GREEN)


def list_url(name: str, **params) -> str:
    """The URL of a list filtered by `params` (lists become repeated parameters)."""
    url = page_url(name)  # about 40 figures link to 8 lists
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


@dataclass
class Figure:
    """A number and the filtered list it counts."""

    key: str
    label: str
    count: int
    url: str


@dataclass
class Dashboard:
    today: datetime.date
    stages: list = field(default_factory=list)  # [(Stage, [Figure per health], Figure total)]
    healths: list = field(default_factory=list)
    health_totals: list = field(default_factory=list)
    initiatives_total: Figure | None = None
    kpi_status: list = field(default_factory=list)
    kpi_sparklines: list = field(default_factory=list)
    kpi_total: int = 0  # every KPI the reader may see; the sparkline table shows the worst few
    heat_maps: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    policies_in_review: Figure | None = None
    incidents: list = field(default_factory=list)  # [Figure]: open, reports pending, reports overdue
    incident_deadlines: list = field(default_factory=list)  # pending Article 73 reports, soonest first
    my_acknowledgements: list = field(default_factory=list)
    my_acknowledgements_figure: Figure | None = None
    acknowledgement_rate: int | None = None
    ai_literacy: dict = field(default_factory=dict)
    frameworks: list = field(default_factory=list)
    activity: list = field(default_factory=list)  # [ActivityGroup], newest first

    def figures(self) -> list[Figure]:
        """Every counted figure with its link (what the equality tests walk through)."""
        found = [self.initiatives_total, self.policies_in_review, self.ai_literacy.get("uncovered")]
        for _, cells, total in self.stages:
            found += [*cells, total]
        found += self.health_totals + self.kpi_status + self.overdue + self.incidents
        return [f for f in found if f is not None]


def _every_row(model):
    return model._default_manager.all()


def _reads_every_row(user, *models) -> bool:
    """Whether `user` reads every row of `models` (then the statements over them are the same for
    every such reader and compiled once per process; see vpportal/core/compiled.py)."""
    return all(model.objects.visible_to(user).reads_every_row() for model in models)


def _initiative_counts(initiatives):
    return initiatives.order_by().values_list("stage", "health").annotate(n=Count("pk"))


_INITIATIVE_COUNTS = Statement(lambda: _initiative_counts(_every_row(Initiative)))


def _initiatives(board: Dashboard, user):
    visible = Initiative.objects.visible_to(user)
    if visible.reads_every_row():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(*_INITIATIVE_COUNTS.sql(DEFAULT_DB_ALIAS))
            rows = cursor.fetchall()
    else:
        rows = _initiative_counts(visible)
    counts = {(stage, health): n for stage, health, n in rows}
    name = "initiatives:initiative_list"
    board.healths = list(Health)
    for stage in Stage:
        cells = [
            Figure(f"initiatives.{stage}.{health}", health.label, counts.get((stage, health), 0), "")
            for health in Health
        ]
        for cell, health in zip(cells, Health, strict=True):
            cell.url = list_url(name, stage=stage.value, health=health.value)
        total = sum(c.count for c in cells)
        board.stages.append(
            (stage, cells, Figure(f"initiatives.{stage}", stage.label, total, list_url(name, stage=stage.value)))
        )
    board.health_totals = [
        Figure(
            f"initiatives.health.{health}",
            health.label,
            sum(n for (_, h), n in counts.items() if h == health),
            list_url(name, health=health.value),
        )
        for health in Health
    ]
    board.initiatives_total = Figure("initiatives", "Initiatives", sum(counts.values()), list_url(name))


def _kpis(board: Dashboard, user):
    visible = KPI.objects.visible_to(user)
    # The counts by status and the worst KPIs (instances, with their initiative) in one statement.
    counts, worst = visible.status_overview_records(SPARK_KPIS, STATUS_ORDER)
    board.kpi_status = [
        Figure(
            f"kpis.{status}", status.label, counts.get(status, 0), list_url("initiatives:kpi_list", status=status.value)
        )
        for status in STATUS_ORDER
    ]
    board.kpi_total = sum(counts.get(status, 0) for status in STATUS_ORDER)
    points = {}
    for kpi_id, observed_at, value in KPIMeasurement.objects.latest_per_kpi([k.pk for k in worst], SPARK_POINTS):
        points.setdefault(kpi_id, []).append((observed_at, value))
    for kpi in worst:
        kpi_points = points.get(kpi.pk, [])
        # The latest value is the newest sparkline point (same order).
        kpi.latest_value = kpi_points[-1][1] if kpi_points else None
        kpi.sparkline = sparkline(
            kpi_points, target=kpi.target, warning=kpi.warning_threshold, unit=kpi.unit, precision=kpi.precision
        )
    board.kpi_sparklines = worst


def _risks(board: Dashboard, user):
    risk_list = page_url("governance:risk_list")
    maps = heat_maps(QueryDict(), Risk.objects.visible_to(user))
    for heat_map in maps:
        for _, cells in heat_map["rows"]:
            for cell in cells:
                cell.url = f"{risk_list}{cell.url}"
    board.heat_maps = maps


# The overdue and awaiting figures, in the order of their statement's columns.
_OVERDUE_NAMES = (
    "milestones",
    "mitigations",
    "risk_reviews",
    "policy_reviews",
    "in_review",
    "incidents_open",
    "reports_pending",
    "reports_overdue",
)
_OVERDUE_MODELS = (Milestone, Mitigation, Risk, Policy, Incident)


def _overdue_querysets(visible, today: datetime.date, now: datetime.datetime) -> dict:
    """What each overdue and awaiting figure counts, over `visible(Model)` (the reader's rows)."""
    policies, incidents = visible(Policy), visible(Incident)
    querysets = (
        visible(Milestone).open().filter(due_date__lt=today),
        visible(Mitigation).overdue(today),
        visible(Risk).review_overdue(today),
        policies.review_overdue(today),
        policies.with_latest_status("in_review"),
        incidents.open(),
        incidents.report_pending(),
        incidents.report_overdue(now),
    )
    return dict(zip(_OVERDUE_NAMES, querysets, strict=True))


def _counts_sql(visible, today: datetime.date, now: datetime.datetime, start: datetime.date) -> tuple[str, list]:
    """The eight overdue and awaiting counts, the acknowledgement totals, then the AI-literacy
    counts of the window `start`..`today`: one statement, one row (one round trip for twelve
    figures). The AI-literacy counts are everyone's (they do not depend on the reader)."""
    counts, counts_params = count_together_sql(**_overdue_querysets(visible, today, now))
    totals, totals_params = _acknowledgement_totals_sql(visible(Policy))
    literacy, literacy_params = ai_literacy_counts_sql(start, today)
    sql = f"SELECT * FROM ({counts}) AS counts CROSS JOIN ({totals}) AS totals CROSS JOIN ({literacy}) AS literacy"
    return sql, [*counts_params, *totals_params, *literacy_params]


_COUNTS = Statement(lambda today, now, start: _counts_sql(_every_row, today, now, start))
_TOTALS = slice(len(_OVERDUE_NAMES), len(_OVERDUE_NAMES) + 2)
_LITERACY = slice(len(_OVERDUE_NAMES) + 2, len(_OVERDUE_NAMES) + 4)


def _overdue_and_awaiting(board: Dashboard, user):
    """The overdue figures, the policies awaiting approval, the acknowledgement rate and the
    AI-literacy coverage: twelve figures from one statement."""
    today, now = board.today, timezone.now()
    start, _ = ai_literacy_window(today)
    yesterday = today - datetime.timedelta(days=1)
    open_statuses = ["planned", "in_progress"]
    if _reads_every_row(user, *_OVERDUE_MODELS):
        sql, params = _COUNTS.sql(DEFAULT_DB_ALIAS, today=today, now=now, start=start)
    else:
        sql, params = _counts_sql(lambda model: model.objects.visible_to(user), today, now, start)
    row = run_count_together(DEFAULT_DB_ALIAS, sql, params)
    counts = counts_of_row(_OVERDUE_NAMES, row[: len(_OVERDUE_NAMES)])
    # Overall rate: acknowledgements of the versions in force over the people expected to give them.
    acknowledged, expected = (int(n or 0) for n in row[_TOTALS])
    board.acknowledgement_rate = round(100 * acknowledged / expected) if expected else None
    _team(board, ai_literacy_coverage(today, counts=row[_LITERACY]))
    board.overdue = [
        Figure(
            "overdue.milestones",
            "Overdue milestones",
            counts["milestones"],
            list_url("initiatives:milestone_list", status=open_statuses, due_date_before=yesterday.isoformat()),
        ),
        Figure(
            "overdue.mitigations",
            "Overdue mitigations",
            counts["mitigations"],
            list_url("governance:mitigation_list", overdue="true"),
        ),
        Figure(
            "overdue.risk_reviews",
            "Overdue risk reviews",
            counts["risk_reviews"],
            list_url("governance:risk_list", review_overdue="true"),
        ),
        Figure(
            "overdue.policy_reviews",
            "Overdue policy reviews",
            counts["policy_reviews"],
            list_url("governance:policy_list", review_overdue="true"),
        ),
    ]
    incident_list = "governance:incident_list"
    open_statuses = [s.value for s in IncidentStatus if s != IncidentStatus.CLOSED]
    board.incidents = [
        Figure(
            "incidents.open", "Open incidents", counts["incidents_open"], list_url(incident_list, status=open_statuses)
        ),
        Figure(
            "incidents.reports_pending",
            "Serious incidents not yet reported",
            counts["reports_pending"],
            list_url(incident_list, report_pending="true"),
        ),
        Figure(
            "incidents.reports_overdue",
            "Authority reports overdue",
            counts["reports_overdue"],
            list_url(incident_list, report_overdue="true"),
        ),
    ]
    board.policies_in_review = Figure(
        "policies.in_review",
        "Policies awaiting approval",
        counts["in_review"],
        list_url("governance:policy_list", status="in_review"),
    )


INCIDENT_DEADLINES = 5


def _incident_deadlines(board: Dashboard, user):
    """The pending Article 73 reports with the nearest deadlines (overdue first), for the countdown."""
    visible = Incident.objects.visible_to(user)
    if visible.reads_every_row():
        board.incident_deadlines = _INCIDENT_DEADLINES.instances(DEFAULT_DB_ALIAS)
    else:
        board.incident_deadlines = list(_nearest_deadlines(visible))


def _nearest_deadlines(incidents):
    return incidents.report_pending().with_deadline().order_by("report_due", "pk")[:INCIDENT_DEADLINES]


_INCIDENT_DEADLINES = Statement(lambda: _nearest_deadlines(_every_row(Incident)))


def _acknowledgements(board: Dashboard, user):
    policies = Policy.objects.visible_to(user)
    person = Person.objects.of_user(user)
    mine = list(policies.to_acknowledge_by(person).order_by("code")) if person is not None else []
    board.my_acknowledgements = mine
    board.my_acknowledgements_figure = Figure(
        "policies.to_acknowledge", "Policies I still have to acknowledge", len(mine), "#dash-acknowledge"
    )
    # The overall acknowledgement rate comes with the overdue counts (`_overdue_and_awaiting`).


def _acknowledgement_totals_sql(policies) -> tuple[str, tuple]:
    """(acknowledgements of the versions in force, people expected to give them) as one statement."""
    in_force = (
        policies.with_current_version()
        .filter(current_version_pk__isnull=False)
        .order_by()
        .values("acknowledged_count", "active_people")
    )
    sql, params = sql_of(in_force, DEFAULT_DB_ALIAS)
    return f"SELECT SUM(acknowledged_count), SUM(active_people) FROM ({sql}) AS in_force", params


def _team(board: Dashboard, coverage):
    board.ai_literacy = {
        "percent": coverage.percent,
        "covered": coverage.covered,
        "total": coverage.total,
        "uncovered": Figure(
            "ai_literacy.uncovered",
            "People not yet covered",
            coverage.total - coverage.covered,
            page_url("initiatives:ai_literacy"),
        ),
    }


_FRAMEWORKS = Statement(lambda today: Framework.objects.with_coverage(today).order_by("title"))


def _frameworks(board: Dashboard, user):
    visible = Framework.objects.visible_to(user)
    if visible.reads_every_row():
        # Model instances with their coverage annotations, from the statement compiled once.
        board.frameworks = _FRAMEWORKS.instances(DEFAULT_DB_ALIAS, today=board.today)
    else:
        board.frameworks = list(visible.with_coverage(board.today).order_by("title"))


# Safe to reuse while no tracked record changed (the history watermark is part of the key). The
# time bounds what depends on the clock alone (a KPI going stale, a date becoming overdue) and a
# write committed out of id order by a concurrent transaction.
CACHE_SECONDS = 30


def _reused(kind: str, user, today: datetime.date | None, build):
    """`build(user, today)`, or what it gave while no tracked record changed since (one query)."""
    today = today or timezone.localdate()
    key = f"{kind}:" + hashlib.sha256(repr((user.pk, today, history_watermark())).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build(user, today)
        cache.set(key, value, CACHE_SECONDS)
    return value


def dashboard(user, today: datetime.date | None = None) -> Dashboard:
    """The dashboard of `user`, computed, or reused when no tracked record changed since (one query)."""
    return _reused("dashboard", user, today, compute_dashboard)


def dashboard_data(user, today: datetime.date | None = None) -> dict:
    """What `GET /api/v1/dashboard/` answers (`as_data()` of the dashboard), reused the same way. It
    is kept as the plain data itself: the API's reuse then unpickles no model instances or lazy
    labels and builds no dictionaries, and storing it pickles less than the dashboard's objects."""
    return _reused("dashboard-data", user, today, lambda reader, day: as_data(compute_dashboard(reader, day)))


def compute_dashboard(user, today: datetime.date) -> Dashboard:
    board = Dashboard(today=today)
    _initiatives(board, user)
    _kpis(board, user)
    _risks(board, user)
    _overdue_and_awaiting(board, user)
    _incident_deadlines(board, user)
    _acknowledgements(board, user)  # the AI-literacy coverage comes with the overdue counts
    _frameworks(board, user)
    board.activity = recent_activity(user, ACTIVITY_LIMIT)
    return board


def _figure(fig: Figure | None) -> dict | None:
    return None if fig is None else {"count": fig.count, "url": fig.url}


def as_data(board: Dashboard) -> dict:
    """The same figures as plain data: what `GET /api/v1/dashboard/` answers."""
    return {
        "today": board.today.isoformat(),
        "initiatives": {
            "total": _figure(board.initiatives_total),
            "by_stage": {
                stage.value: {
                    "total": _figure(total),
                    "by_health": {h.value: _figure(c) for h, c in zip(board.healths, cells, strict=True)},
                }
                for stage, cells, total in board.stages
            },
            "by_health": {h.value: _figure(f) for h, f in zip(board.healths, board.health_totals, strict=True)},
        },
        "kpis": {
            "by_status": {f.key.split(".")[1]: _figure(f) for f in board.kpi_status},
            "sparklines": [
                {
                    "id": kpi.pk,
                    "name": kpi.name,
                    "status": kpi.status,
                    "url": kpi.get_absolute_url(),
                    "points": kpi.sparkline.points if kpi.sparkline else "",
                }
                for kpi in board.kpi_sparklines
            ],
        },
        "risk_heat_maps": {
            heat_map["code"]: {
                "total": heat_map["total"],
                "cells": [
                    {"likelihood": c.likelihood, "impact": c.impact, "count": c.count, "level": c.level, "url": c.url}
                    for _, cells in heat_map["rows"]
                    for c in cells
                ],
            }
            for heat_map in board.heat_maps
        },
        "overdue": {f.key.split(".")[1]: _figure(f) for f in board.overdue},
        "incidents": {
            **{f.key.split(".")[1]: _figure(f) for f in board.incidents},
            "report_deadlines": [
                {
                    "id": i.pk,
                    "key": i.key,
                    "title": i.title,
                    "report_due": i.report_due.isoformat() if i.report_due else None,
                    "overdue": i.report_overdue,
                    "urgent": i.report_urgent,
                    "url": i.get_absolute_url(),
                }
                for i in board.incident_deadlines
            ],
        },
        "policies": {
            "awaiting_approval": _figure(board.policies_in_review),
            "to_acknowledge_by_me": [
                {"id": p.pk, "code": p.code, "title": p.title, "url": p.get_absolute_url()}
                for p in board.my_acknowledgements
            ],
            "acknowledgement_rate": board.acknowledgement_rate,
        },
        "ai_literacy": {
            "percent": board.ai_literacy["percent"],
            "covered": board.ai_literacy["covered"],
            "total": board.ai_literacy["total"],
            "uncovered": _figure(board.ai_literacy["uncovered"]),
        },
        "framework_coverage": [
            {
                "id": f.pk,
                "code": f.code,
                "title": f.title,
                "percent": f.coverage_percent,
                "requirements": f.requirement_count,
                "covered": f.covered_count,
                "evidenced": f.evidenced_count,
                "evidenced_percent": f.evidenced_percent,
                "url": f.get_absolute_url(),
            }
            for f in board.frameworks
        ],
        "recent_activity": [
            {
                "when": line.when.isoformat(),
                "since": line.since.isoformat(),
                "user": line.username,
                "channel": line.channel,
                "action": line.action,
                "model": line.event.model,
                "object_id": line.event.object_id,
                "count": line.count,
                "records": line.records,
                "label": line.label,
                "url": line.url,
            }
            for line in board.activity
        ],
    }
