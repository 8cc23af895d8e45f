"""Maintained row counts (vpportal/core/rowcounts.py): after every kind of write the counter equals
`COUNT(*)`, for the whole table and for filters on its dimensions; other filters are not answered
from it; uncommitted and rolled-back writes of another transaction do not count, and concurrent
writers do not wait on one another."""

from datetime import timedelta

import psycopg
import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from governance.models import Mitigation, Risk
from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from tests.conftest import api_client
from tests.factories.portfolio import InitiativeFactory, KPIFactory
from tests.factories.risks import RiskFactory
from vpportal.core.counting import bounded_count
from vpportal.core.rowcounts import COUNTS_TABLE, counted_tables, declared_dimensions, fold, maintained_count

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the counter is PostgreSQL's")
pytestmark = [pytest.mark.django_db, postgresql_only]


def _points(kpi, n, start=0):
    base = timezone.now() - timedelta(days=400)
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, observed_at=base + timedelta(minutes=start + i), value=i, source="t") for i in range(n)
    )


def _assert_counts_agree(*querysets):
    for queryset in querysets:
        assert maintained_count(queryset) == queryset.count(), str(queryset.query)


def test_every_model_declaring_dimensions_is_counted_by_those_columns_in_the_database():
    declared = {
        model._meta.db_table: declared_dimensions(model)
        for model in apps.get_models()
        if declared_dimensions(model) is not None
    }
    assert {Initiative, KPI, KPIMeasurement, Milestone, Risk, Mitigation} <= {
        m for m in apps.get_models() if m._meta.db_table in declared
    }
    counted = counted_tables(connection)
    for table, columns in declared.items():
        assert set(columns) <= set(counted.get(table, ())), table


def test_creates_updates_deletes_and_raw_sql_keep_the_count_exact():
    InitiativeFactory.create_batch(4, stage="pilot", health="on_track")
    InitiativeFactory.create_batch(2, stage="idea", health="at_risk")
    views = (
        Initiative.objects.all(),
        Initiative.objects.filter(stage="pilot"),
        Initiative.objects.filter(health="at_risk"),
        Initiative.objects.filter(stage="pilot", health="on_track"),
        Initiative.objects.filter(stage__in=["idea", "pilot"]),
        Initiative.objects.filter(Q(stage="idea") | Q(stage="pilot")).distinct(),
        Initiative.objects.filter(stage="production"),
    )
    _assert_counts_agree(*views)
    first = Initiative.objects.filter(stage="pilot").first()
    first.health = "at_risk"
    first.save()  # moves a row from one scope to another
    _assert_counts_agree(*views)
    Initiative.objects.filter(stage="idea").update(stage="production")
    _assert_counts_agree(*views)
    Initiative.objects.filter(pk=first.pk).delete()
    _assert_counts_agree(*views)
    with connection.cursor() as cursor:  # a write no Django code sees
        cursor.execute("DELETE FROM initiatives_initiative WHERE stage = 'production'")
    _assert_counts_agree(*views)
    assert maintained_count(Initiative.objects.all()) == 3


def test_bulk_inserts_cascades_and_counts_by_foreign_key():
    kpi, other = KPIFactory(), KPIFactory()
    _points(kpi, 250)
    _points(other, 40)
    views = (
        KPIMeasurement.objects.all(),
        KPIMeasurement.objects.filter(kpi=kpi),
        KPIMeasurement.objects.filter(kpi_id=other.pk),
    )
    _assert_counts_agree(*views)
    other.delete()  # its points go with it (the ORM's cascade)
    _assert_counts_agree(*views)
    assert maintained_count(KPIMeasurement.objects.all()) == 250


def test_the_bulk_ingest_endpoint_keeps_the_count(executive):
    kpi = KPIFactory()
    start = timezone.now() - timedelta(days=10)
    body = [{"kpi": kpi.pk, "observed_at": (start + timedelta(minutes=i)).isoformat(), "value": i} for i in range(30)]
    client = api_client(executive)
    assert client.post("/api/v1/kpi-measurements/bulk/", body, format="json").status_code == 201
    # Sent again: every point is already stored (ON CONFLICT DO NOTHING): no delta for them.
    assert client.post("/api/v1/kpi-measurements/bulk/", body, format="json").status_code == 201
    _assert_counts_agree(KPIMeasurement.objects.filter(kpi=kpi), KPIMeasurement.objects.all())
    assert maintained_count(KPIMeasurement.objects.filter(kpi=kpi)) == 30


def test_other_filters_are_not_answered_from_the_counter_and_count_exactly():
    RiskFactory.create_batch(3, category="privacy")
    RiskFactory(category="security")
    not_kept = (
        Risk.objects.filter(title__icontains="x"),
        Risk.objects.exclude(category="privacy"),
        Risk.objects.filter(initiative__title="nothing"),
        Risk.objects.filter(updated_at__gte=timezone.now() - timedelta(days=1)),
        Risk.objects.filter(category="privacy") | Risk.objects.filter(status="open"),
        Risk.objects.filter(Q(category="privacy") | Q(status="open")),
        Risk.objects.filter(category="privacy").distinct("category"),
        Risk.objects.all()[:2],
    )
    for queryset in not_kept:
        assert maintained_count(queryset) is None, str(queryset.query)
    assert bounded_count(Risk.objects.exclude(category="privacy")) == (1, False)
    assert maintained_count(Risk.objects.filter(category="privacy")) == 3


def test_a_model_without_dimensions_is_not_answered_from_the_counter():
    from vpportal.people.models import Person

    assert maintained_count(Person.objects.all()) is None


def test_folding_keeps_every_count_and_leaves_one_row_per_scope():
    for stage in ("idea", "pilot", "pilot", "idea", "pilot"):
        InitiativeFactory(stage=stage, health="on_track", priority=3)
    before = {s: maintained_count(Initiative.objects.filter(stage=s)) for s in ("idea", "pilot")}
    fold()
    assert {s: maintained_count(Initiative.objects.filter(stage=s)) for s in ("idea", "pilot")} == before
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT scope ->> 'stage', count(*) FROM {COUNTS_TABLE} "
            "WHERE table_name = 'initiatives_initiative' GROUP BY 1 ORDER BY 1"
        )
        assert cursor.fetchall() == [("idea", 1), ("pilot", 1)]
    _assert_counts_agree(Initiative.objects.all(), Initiative.objects.filter(stage="pilot"))


def test_the_api_list_answers_the_maintained_count(executive):
    InitiativeFactory.create_batch(3, health="on_track")
    InitiativeFactory(health="off_track")
    client = api_client(executive)
    client.get("/api/v1/initiatives/?limit=1")  # session, token and throttle rows warm
    with connection.cursor() as cursor:  # an insert no ORM query sees, to prove whose count it is
        cursor.execute(
            f"INSERT INTO {COUNTS_TABLE} (table_name, scope, n) "
            """VALUES ('initiatives_initiative', '{"stage": "x", "health": "on_track", "priority": 0}', 0)"""
        )
    body = client.get("/api/v1/initiatives/?health=on_track&limit=1").json()
    assert (body["count"], body["count_is_estimate"]) == (3, False)
    with connection.cursor() as cursor:  # the counter, not COUNT(*), answered the list
        cursor.execute(f"UPDATE {COUNTS_TABLE} SET n = n + 1000 WHERE scope ->> 'stage' = 'x'")
    assert client.get("/api/v1/initiatives/?health=on_track&limit=1").json()["count"] == 1003


# --- other transactions: MVCC keeps the counter exact for every reader ------------------------------------
def _other_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )


def _insert_point(conn, kpi_id, minute):
    conn.execute(
        "INSERT INTO initiatives_kpimeasurement (created_at, updated_at, version, kpi_id, observed_at, value, "
        "source, note) VALUES (now(), now(), 1, %s, now() - make_interval(mins => %s), 1, 'other', '')",
        [kpi_id, minute],
    )


@pytest.mark.django_db(transaction=True)
def test_another_transactions_writes_count_only_once_committed_and_writers_never_wait():
    kpi = KPIFactory()
    _points(kpi, 5)
    points = KPIMeasurement.objects.filter(kpi=kpi)
    with _other_connection() as first, _other_connection() as second:
        _insert_point(first, kpi.pk, 1)  # uncommitted
        assert maintained_count(points) == 5 == points.count()
        # A second writer on the same scope does not wait for the first (no shared counter row).
        second.execute("SET lock_timeout = '2s'")
        _insert_point(second, kpi.pk, 2)
        second.rollback()
        assert maintained_count(points) == 5
        first.commit()
        assert maintained_count(points) == 6 == points.count()
        first.execute("DELETE FROM initiatives_kpimeasurement WHERE kpi_id = %s", [kpi.pk])
        assert maintained_count(points) == 6  # not yet committed
        first.rollback()
    assert maintained_count(points) == 6 == points.count()
    # A fold in the middle of it all changes nothing.
    fold()
    assert maintained_count(points) == 6
