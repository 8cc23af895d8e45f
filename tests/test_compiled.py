"""Statements compiled once per process (vpportal/core/compiled.py, issue 23): the kept SQL with new
time arguments bound is exactly what building the queryset again gives, on SQLite and PostgreSQL;
a builder that hides a time dependence is never kept."""

import datetime

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from governance.choices import SeriousKind
from governance.models import Incident
from initiatives.models import Milestone
from tests.factories.incidents import IncidentFactory
from vpportal.core.compiled import Statement, sql_of

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _fresh(build, **arguments):
    sql, params = sql_of(build(**arguments), DEFAULT_DB_ALIAS)
    return sql, list(params)


def _due_and_recent(today, now):
    # A date, a moment and values derived from each (offsets), with other parameters between them.
    return Milestone.objects.filter(
        status__in=["planned", "in_progress"],
        due_date__lt=today - 3 * DAY,
        created_at__gte=now - datetime.timedelta(hours=2),
        updated_at__lt=now,
        title__icontains="x",
    ).values("pk")


def test_time_arguments_are_bound_into_the_kept_statement():
    statement = Statement(_due_and_recent)
    today, now = timezone.localdate(), timezone.now()
    assert statement.sql(DEFAULT_DB_ALIAS, today=today, now=now) == _fresh(_due_and_recent, today=today, now=now)
    assert statement.compiled_for(DEFAULT_DB_ALIAS)
    for days, minutes in ((1, 0), (40, 7), (-400, 59), (3000, 1)):
        later = {"today": today + days * DAY, "now": now + datetime.timedelta(days=days, minutes=minutes)}
        assert statement.sql(DEFAULT_DB_ALIAS, **later) == _fresh(_due_and_recent, **later)


@pytest.mark.parametrize(
    "build",
    [
        # The clock read inside the builder instead of taken as an argument: kept, it would go stale.
        lambda now: Milestone.objects.filter(due_date__lt=timezone.localdate(), updated_at__lt=now),
        # A value derived from the argument otherwise than by an offset.
        lambda now: Milestone.objects.filter(due_date__lt=now.date()),
        lambda now: Milestone.objects.filter(created_at__gte=now.replace(hour=0, minute=0, second=0, microsecond=0)),
        # A branch on the argument.
        lambda now: Milestone.objects.filter(status="done" if now.month == 1 else "planned", updated_at__lt=now),
    ],
)
def test_a_statement_with_a_hidden_time_dependence_is_built_on_every_call(build):
    statement = Statement(build)
    now = timezone.now()
    assert statement.sql(DEFAULT_DB_ALIAS, now=now) == _fresh(build, now=now)
    assert not statement.compiled_for(DEFAULT_DB_ALIAS)
    later = now + 45 * DAY
    assert statement.sql(DEFAULT_DB_ALIAS, now=later) == _fresh(build, now=later)


def test_instances_read_with_the_kept_statement_equal_the_querysets_with_their_annotations():
    for kind in (SeriousKind.DEATH, SeriousKind.OTHER_SERIOUS, SeriousKind.CRITICAL_INFRASTRUCTURE):
        IncidentFactory(serious=True, serious_kind=kind)
    IncidentFactory(serious=False)

    def pending():
        return Incident.objects.report_pending().with_deadline().order_by("report_due", "pk")

    statement = Statement(pending)
    expected = [(i.pk, i.title, i.report_due, i.report_overdue) for i in pending()]
    for _ in range(2):  # the first call derives the statement, the second reads with the kept one
        rows = statement.instances(DEFAULT_DB_ALIAS)
        assert [(i.pk, i.title, i.report_due, i.report_overdue) for i in rows] == expected
        assert all(isinstance(i, Incident) and i.report_due.tzinfo is not None for i in rows)
    assert statement.compiled_for(DEFAULT_DB_ALIAS) and len(expected) == 3
