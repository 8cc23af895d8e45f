"""count_together(): several exact counts in one statement, equal to each queryset's own count();
bounded_count(): the lists' exact count under a time budget (vpportal/core/counting.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from governance.models import Risk
from initiatives.models import Initiative, KPIMeasurement
from tests.conftest import api_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory
from tests.factories.risks import RiskFactory
from vpportal.core.counting import bounded_count, count_together, vouched_estimate
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db


def test_each_count_equals_the_querysets_own_count_in_one_query(django_assert_num_queries):
    InitiativeFactory.create_batch(3, stage="pilot")
    InitiativeFactory(stage="production")
    RiskFactory.create_batch(2, likelihood=5)
    RiskFactory(likelihood=1)
    querysets = {
        "pilots": Initiative.objects.filter(stage="pilot"),
        "in_production": Initiative.objects.filter(stage="production").order_by("title"),
        "likely": Risk.objects.filter(likelihood__gte=4),
        "none": Risk.objects.filter(likelihood=3),
        "everything": Risk.objects.all(),
    }
    with django_assert_num_queries(1):
        counts = count_together(**querysets)
    assert counts == {name: queryset.count() for name, queryset in querysets.items()}
    assert counts == {"pilots": 3, "in_production": 1, "likely": 2, "none": 0, "everything": 3}


def test_nothing_to_count_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_together() == {}


# --- list counts: exact, an estimate only past the time budget and only within 10% --------------------
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="statement timeouts are PostgreSQL's")


def _points(kpi, n):
    start = timezone.now() - timedelta(days=400)
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, observed_at=start + timedelta(minutes=i), value=i, source="t") for i in range(n)
    )


def test_a_kpis_ten_thousand_points_listed_by_kpi_count_exactly(executive):
    kpi, other = KPIFactory(), KPIFactory()
    _points(kpi, 10_000)
    _points(other, 1_500)
    body = api_client(executive).get(f"/api/v1/kpi-measurements/?kpi={kpi.pk}&limit=100").json()
    assert (body["count"], body["count_is_estimate"]) == (10_000, False)
    body = api_client(executive).get("/api/v1/kpi-measurements/?limit=100").json()
    assert (body["count"], body["count_is_estimate"]) == (11_500, False)


def _timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@postgresql_only
def test_a_count_past_its_budget_falls_back_to_exact_and_the_timeout_ends_with_the_count(settings):
    PersonFactory.create_batch(3)
    before = _timeout()
    # Each row costs 20 ms to match: the count cannot finish within a 5 ms budget.
    slow = Person.objects.extra(where=["pg_sleep(0.02) IS NOT NULL"])
    assert bounded_count(slow, budget_ms=5) == (Person.objects.count(), False)
    assert _timeout() == before
    assert bounded_count(Person.objects.all(), budget_ms=5_000) == (Person.objects.count(), False)
    assert _timeout() == before


@postgresql_only
def test_no_estimate_is_vouched_for_a_filtered_list_or_rows_the_statistics_have_not_seen():
    PersonFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Person._meta.db_table}")
    # Planner estimates of a filter can be off by any factor; the rows this transaction wrote are
    # not in the statistics collector's live count: both count exactly instead.
    assert vouched_estimate(Person.objects.filter(active=True)) is None
    assert vouched_estimate(Person.objects.all()) is None
