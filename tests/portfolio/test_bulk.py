"""POST kpi-measurements/bulk/: 10,000 points at once, all or nothing, idempotent, bulk-inserted."""

from datetime import UTC, datetime, timedelta

import pytest

from initiatives.models import KPIMeasurement
from initiatives.services.portfolio import BULK_LIMIT
from tests.conftest import PERSONAS, api_client
from tests.factories.portfolio import KPIFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpi-measurements/bulk/"
START = datetime(2024, 1, 1, tzinfo=UTC)


def points(kpis, n, source="mlflow"):
    return [
        {
            "kpi": kpis[i % len(kpis)].pk,
            "observed_at": (START + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
            "value": i / 10,
            "source": source,
        }
        for i in range(n)
    ]


def test_ten_thousand_points_are_accepted_in_one_request(contributor, django_assert_max_num_queries):
    kpis = KPIFactory.create_batch(3)
    batch = points(kpis, BULK_LIMIT)
    client = api_client(contributor)
    # Bulk inserts, never a query per point: batches of 2,000 rows on PostgreSQL; SQLite's limit of
    # 999 parameters per statement splits them into about 90 rows (plus the same for history rows).
    with django_assert_max_num_queries(BULK_LIMIT // 25):
        response = client.post(URL, batch, format="json")
    assert response.status_code == 201, response.content[:500]
    assert response.json() == {"created": BULK_LIMIT, "skipped": 0}
    assert KPIMeasurement.objects.count() == BULK_LIMIT


def test_a_re_sent_batch_creates_nothing(contributor):
    kpi = KPIFactory()
    batch = points([kpi], 50)
    client = api_client(contributor)
    assert client.post(URL, batch, format="json").json() == {"created": 50, "skipped": 0}
    assert client.post(URL, batch, format="json").json() == {"created": 0, "skipped": 50}
    overlapping = batch[25:] + points([kpi], 60)[50:]
    assert client.post(URL, overlapping, format="json").json() == {"created": 10, "skipped": 25}
    assert KPIMeasurement.objects.count() == 60


def test_the_same_moment_from_another_source_is_a_new_point(contributor):
    kpi = KPIFactory()
    client = api_client(contributor)
    client.post(URL, points([kpi], 5, source="mlflow"), format="json")
    assert client.post(URL, points([kpi], 5, source="manual"), format="json").json()["created"] == 5


def test_one_bad_point_rejects_the_whole_batch_naming_its_index_and_reason(contributor):
    kpi = KPIFactory()
    batch = points([kpi], 100)
    batch[17]["value"] = "not a number"
    batch[42]["kpi"] = 999_999
    batch[63]["observed_at"] = "last tuesday"
    del batch[80]["kpi"]
    response = api_client(contributor).post(URL, batch, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [17, 42, 63, 80]
    assert "value" in errors[0]["errors"] and "999999" in errors[1]["errors"]["kpi"][0]
    assert "observed_at" in errors[2]["errors"] and "kpi" in errors[3]["errors"]
    assert KPIMeasurement.objects.count() == 0


def test_a_point_repeated_within_the_batch_is_named(contributor):
    kpi = KPIFactory()
    batch = points([kpi], 3)
    batch.append(dict(batch[1]))
    response = api_client(contributor).post(URL, batch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 3 and "index 1" in str(response.json()["errors"][0])


@pytest.mark.parametrize(
    "body",
    [{"kpi": 1}, "text", [1, 2], [{"kpi": 1, "observed_at": "2025-01-01T00:00:00Z", "value": "NaN"}]],
)
def test_malformed_bodies_answer_400_and_write_nothing(contributor, body):
    KPIFactory()
    response = api_client(contributor).post(URL, body, format="json")
    assert response.status_code == 400
    assert KPIMeasurement.objects.count() == 0


def test_more_than_the_limit_is_refused(contributor):
    kpi = KPIFactory()
    response = api_client(contributor).post(URL, points([kpi], BULK_LIMIT + 1), format="json")
    assert response.status_code == 400 and str(BULK_LIMIT) in str(response.json())


@pytest.mark.parametrize("role", PERSONAS)
def test_the_bulk_permission_is_add_measurement(personas, role):
    kpi = KPIFactory()
    response = api_client(personas[role]).post(URL, points([kpi], 2), format="json")
    expected = 201 if role in ("executive", "leader", "contributor") else 403
    assert response.status_code == expected


def test_bulk_points_are_in_history_with_the_actor_and_channel(contributor):
    kpi = KPIFactory()
    api_client(contributor).post(URL, points([kpi], 5), format="json")
    rows = KPIMeasurement.history.all()
    assert rows.count() == 5
    assert {(r.history_type, r.history_user_id, r.history_channel) for r in rows} == {("+", contributor.pk, "api")}
    assert set(KPIMeasurement.objects.values_list("created_by", flat=True)) == {contributor.pk}


def test_naive_times_are_read_in_the_portal_time_zone(contributor, settings):
    kpi = KPIFactory()
    batch = [{"kpi": kpi.pk, "observed_at": "2025-06-01T12:00:00", "value": 1}]
    assert api_client(contributor).post(URL, batch, format="json").status_code == 201
    assert KPIMeasurement.objects.get().source == ""
