"""Keyset pages of KPI measurements (`?cursor=`): newest first, every point exactly once, constant
queries at any depth, and clear 400s for bad cursors. Without `cursor` the list keeps limit/offset."""

from datetime import UTC, datetime, timedelta

import pytest

from initiatives.models import KPIMeasurement
from tests.conftest import api_client
from tests.factories.portfolio import KPIFactory, KPIMeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def points():
    kpi = KPIFactory()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Two sources share each moment: ties on observed_at are broken by id.
    for i in range(6):
        for source in ("a", "b"):
            KPIMeasurementFactory(kpi=kpi, observed_at=start + timedelta(hours=i), source=source)
    KPIMeasurementFactory()  # another KPI's point, filtered out
    return kpi


def walk(client, url):
    ids, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, pages


def test_cursor_pages_walk_every_point_newest_first_exactly_once(executive, points):
    client = api_client(executive)
    ids, pages = walk(client, f"/api/v1/kpi-measurements/?kpi={points.pk}&limit=5&cursor=")
    expected = list(
        KPIMeasurement.objects.filter(kpi=points).order_by("-observed_at", "-id").values_list("pk", flat=True)
    )
    assert ids == expected and len(ids) == 12
    assert [len(p["results"]) for p in pages] == [5, 5, 2]
    assert all(p["count"] == 12 and p["previous"] is None for p in pages)
    assert "cursor=" in pages[0]["next"] and "offset" not in pages[0]["next"]


def test_a_deep_cursor_page_costs_the_same_queries_as_the_first(executive, points, django_assert_num_queries):
    client = api_client(executive)
    first = client.get(f"/api/v1/kpi-measurements/?kpi={points.pk}&limit=2&cursor=").json()
    deep_url = walk(client, f"/api/v1/kpi-measurements/?kpi={points.pk}&limit=2&cursor=")[1][-2]["next"]
    with django_assert_num_queries(5):
        client.get(first["next"])
    with django_assert_num_queries(5):
        assert len(client.get(deep_url).json()["results"]) == 2


def test_without_a_cursor_the_list_pages_by_offset(executive, points):
    body = api_client(executive).get(f"/api/v1/kpi-measurements/?kpi={points.pk}&limit=5&offset=5").json()
    assert body["count"] == 12 and "offset=10" in body["next"] and body["previous"]


@pytest.mark.parametrize(
    "cursor",
    ["not-base64!", "bm90IGpzb24", "WyJub3QgYSBkYXRlIiwgMV0", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwgMV0", "WzEsIDJd"],
)
def test_a_bad_cursor_is_a_400_naming_the_cursor(executive, points, cursor):
    response = api_client(executive).get(f"/api/v1/kpi-measurements/?kpi={points.pk}&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_with_an_ordering_is_refused(executive, points):
    response = api_client(executive).get("/api/v1/kpi-measurements/?cursor=&ordering=value")
    assert response.status_code == 400 and "cursor" in response.json()
