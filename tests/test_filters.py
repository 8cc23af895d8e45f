"""Filters shared by the web lists and the API: bad or extreme values are field errors, never 500s."""

import pytest

from tests.conftest import api_client, point_errors
from tests.factories.portfolio import KPIFactory

pytestmark = pytest.mark.django_db


def test_datetime_filters_with_extreme_offsets_are_normalised_not_errors(executive):
    kpi = KPIFactory()
    client = api_client(executive)
    response = client.get(
        "/api/v1/kpi-measurements/", {"kpi": kpi.pk, "observed_at_after": "0292-05-16T01:27:20.581920+17:16"}
    )
    assert response.status_code == 200
    overflow = client.get("/api/v1/kpi-measurements/", {"observed_at_after": "0001-01-01T00:00:00+14:00"})
    assert overflow.status_code == 400 and "observed_at" in str(overflow.json())


def test_bulk_points_with_huge_ids_or_extreme_offsets_are_field_errors(contributor):
    kpi = KPIFactory()
    points = [
        {"kpi": 2**70, "observed_at": "2000-01-01T00:00:00Z", "value": 1},
        {"kpi": kpi.pk, "observed_at": "0292-05-16T01:27:20+17:16", "value": 1},
        {"kpi": kpi.pk, "observed_at": "0001-01-01T00:00:00+14:00", "value": 1},
    ]
    response = api_client(contributor).post("/api/v1/kpi-measurements/bulk/", points, format="json")
    assert response.status_code == 400
    errors = point_errors(response.json())
    assert set(errors) == {0, 1, 2} and "kpi" in errors[0] and "observed_at" in errors[2]
    assert "observed_at" in errors[1]  # the year 292 is outside the dates a user could mean (issue 14.8)


def test_multiple_choice_filters_on_the_rows_own_columns_are_not_distinct_and_to_many_ones_are():
    """DISTINCT makes a page compute every matching row before its LIMIT (the KPI status subqueries
    of 50,000 rows, benchmarks/lists.py): a filter on the row's own column or an annotation cannot
    repeat a row and goes without; one across a to-many relation keeps it."""
    import django_filters

    from initiatives.choices import Cadence
    from initiatives.filtersets.portfolio import KPIFilterSet
    from initiatives.models import KPI, Initiative
    from tests.factories.portfolio import InitiativeFactory
    from vpportal.core.filtersets import TrackedFilterSet

    initiative = InitiativeFactory()
    weekly = KPIFactory(cadence="weekly", initiative=initiative)
    KPIFactory(cadence="weekly", initiative=initiative)
    daily = KPIFactory(cadence="daily")
    KPIFactory(cadence="monthly")
    own = KPIFilterSet({"cadence": ["weekly", "daily"]}, queryset=KPI.objects.with_related())
    assert own.qs.query.distinct is False
    assert sorted(own.qs.values_list("pk", flat=True)) == sorted(
        [weekly.pk, daily.pk, *own.qs.filter(cadence="weekly").exclude(pk=weekly.pk).values_list("pk", flat=True)]
    )
    assert KPIFilterSet({"status": ["grey"]}, queryset=KPI.objects.with_related()).qs.query.distinct is False

    class ByKPICadence(TrackedFilterSet):
        kpi_cadence = django_filters.MultipleChoiceFilter(field_name="kpis__cadence", choices=Cadence.choices)

        class Meta:
            model = Initiative
            fields = ["kpi_cadence"]

    across = ByKPICadence({"kpi_cadence": ["weekly"]}, queryset=Initiative.objects.all())
    assert across.qs.query.distinct is True
    assert list(across.qs.values_list("pk", flat=True)) == [initiative.pk]  # two weekly KPIs, one row
