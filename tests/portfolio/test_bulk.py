"""POST kpi-measurements/bulk/: 10,000 points at once, all or nothing, idempotent, bulk-inserted with
a history row each. Run on SQLite (django-simple-history's bulk path) and PostgreSQL (COPY into a
staging table, one INSERT for rows and history rows)."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from initiatives.models import KPIMeasurement
from initiatives.services.portfolio import BULK_LIMIT, kpi_measurements_bulk_create
from tests.conftest import PERSONAS, api_client, point_errors
from tests.factories.portfolio import KPIFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/kpi-measurements/bulk/"
START = datetime(2024, 1, 1, tzinfo=UTC)

# Queries for 10,000 points: 2 to authenticate (the token with its user, the roles), two savepoints
# and their releases (the bulk service and the ingest it calls are each atomic inside the test's
# transaction), the KPIs; then on PostgreSQL the staging table, one INSERT of the rows and their
# history rows, the drop of the staging table (the COPY into it is not a query Django counts); on
# SQLite the stored points, then 102 INSERTs of 99 rows and 162 history INSERTs of 62 rows (999
# parameters per statement).
# With the events of the batch: the KPIs' statuses after it, their API shape, one INSERT of the
# events (and on PostgreSQL the commit-order lock); the statuses before it replace the KPI look-up.
TEN_THOUSAND_QUERIES = {"postgresql": 14, "sqlite": 275}


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


def test_ten_thousand_points_are_accepted_in_one_request(contributor, django_assert_num_queries):
    kpis = KPIFactory.create_batch(3)
    batch = points(kpis, BULK_LIMIT)
    client = api_client(contributor)
    with django_assert_num_queries(TEN_THOUSAND_QUERIES[connection.vendor]):
        response = client.post(URL, batch, format="json")
    assert response.status_code == 201, response.content[:500]
    assert response.json() == {"created": BULK_LIMIT, "skipped": 0}
    assert KPIMeasurement.objects.count() == BULK_LIMIT
    assert KPIMeasurement.history.count() == BULK_LIMIT
    last = KPIMeasurement.objects.get(kpi=kpis[(BULK_LIMIT - 1) % 3], observed_at=START + timedelta(minutes=9999))
    assert (last.value, last.source, last.note) == (999.9, "mlflow", "")


def test_a_re_sent_batch_creates_nothing(contributor):
    kpi = KPIFactory()
    batch = points([kpi], 50)
    client = api_client(contributor)
    assert client.post(URL, batch, format="json").json() == {"created": 50, "skipped": 0}
    assert client.post(URL, batch, format="json").json() == {"created": 0, "skipped": 50}
    overlapping = batch[25:] + points([kpi], 60)[50:]
    assert client.post(URL, overlapping, format="json").json() == {"created": 10, "skipped": 25}
    assert KPIMeasurement.objects.count() == 60
    # Skipped points are not changes: no history rows for them.
    assert KPIMeasurement.history.count() == 60


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
    assert response.json()["detail"] == "4 point(s) are invalid; nothing was written."
    errors = point_errors(response.json())
    assert sorted(errors) == [17, 42, 63, 80]
    assert "value" in errors[17] and "999999" in errors[42]["kpi"][0]
    assert "observed_at" in errors[63] and "kpi" in errors[80]
    assert KPIMeasurement.objects.count() == 0


def test_a_point_repeated_within_the_batch_is_named(contributor):
    kpi = KPIFactory()
    batch = points([kpi], 3)
    batch.append(dict(batch[1]))
    response = api_client(contributor).post(URL, batch, format="json")
    assert response.status_code == 400
    errors = point_errors(response.json())
    assert list(errors) == [3] and "index 1" in errors[3][""][0]


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
    batch = points([kpi], 5)
    batch[2]["note"] = "recalibrated"
    api_client(contributor).post(URL, batch, format="json")
    rows = KPIMeasurement.history.all()
    assert rows.count() == 5
    assert {(r.history_type, r.history_user_id, r.history_channel) for r in rows} == {("+", contributor.pk, "api")}
    assert set(KPIMeasurement.objects.values_list("created_by", "updated_by", "version")) == {
        (contributor.pk, contributor.pk, 1)
    }
    # Each history row is a copy of the row as stored.
    copied = [
        "id",
        "kpi_id",
        "observed_at",
        "value",
        "source",
        "note",
        "created_at",
        "updated_at",
        "created_by_id",
        "updated_by_id",
        "version",
    ]
    stored = {tuple(getattr(m, name) for name in copied) for m in KPIMeasurement.objects.all()}
    assert {tuple(getattr(r, name) for name in copied) for r in rows} == stored
    assert KPIMeasurement.objects.get(note="recalibrated").history.get().note == "recalibrated"


def test_bulk_ingest_outside_a_request_is_recorded_as_system(contributor):
    kpi = KPIFactory()
    assert kpi_measurements_bulk_create(by=contributor, points=points([kpi], 3)) == {"created": 3, "skipped": 0}
    assert set(KPIMeasurement.history.values_list("history_user", "history_channel")) == {(contributor.pk, "system")}


def test_two_bulk_ingests_in_one_transaction(contributor):
    # The PostgreSQL staging table is dropped after use, not only at commit.
    kpi = KPIFactory()
    with transaction.atomic():
        kpi_measurements_bulk_create(by=contributor, points=points([kpi], 3))
        result = kpi_measurements_bulk_create(by=contributor, points=points([kpi], 5))
    assert result == {"created": 2, "skipped": 3}
    assert KPIMeasurement.objects.count() == KPIMeasurement.history.count() == 5


def test_naive_times_are_read_in_the_portal_time_zone(contributor, settings):
    settings.TIME_ZONE = "Europe/Paris"
    kpi = KPIFactory()
    batch = [
        {"kpi": kpi.pk, "observed_at": "2025-06-01T12:00:00", "value": 1},
        {"kpi": kpi.pk, "observed_at": "2025-06-01T12:00:00+05:30", "value": 2},
    ]
    assert api_client(contributor).post(URL, batch, format="json").status_code == 201
    stored = dict(KPIMeasurement.objects.values_list("value", "observed_at"))
    assert stored == {1: datetime(2025, 6, 1, 10, tzinfo=UTC), 2: datetime(2025, 6, 1, 6, 30, tzinfo=UTC)}
    assert set(KPIMeasurement.objects.values_list("source", flat=True)) == {""}


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_text_no_column_can_store_is_a_field_error(contributor, text):
    kpi = KPIFactory()
    batch = points([kpi], 3)
    batch[1]["note"] = text
    # json.dumps escapes a lone surrogate as "\\ud800", valid JSON that decodes to unencodable text.
    response = api_client(contributor).post(URL, json.dumps(batch), content_type="application/json")
    assert response.status_code == 400
    assert {i: list(e) for i, e in point_errors(response.json()).items()} == {1: ["note"]}
    assert KPIMeasurement.objects.count() == 0


def _wait_for_a_blocked_query(timeout: float = 30):
    """Return once another session of the test database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Activity is read once per transaction unless the snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("The second batch never waited for the first.")


@pytest.mark.django_db(transaction=True)
def test_a_batch_sent_twice_at_once_is_stored_once(contributor):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL; SQLite serialises them.")
    kpi = KPIFactory()
    batch = points([kpi], 20)
    results = {}

    def resend():
        from django.db import connections

        try:
            results["second"] = kpi_measurements_bulk_create(by=contributor, points=batch)
        finally:
            connections.close_all()

    with transaction.atomic():
        results["first"] = kpi_measurements_bulk_create(by=contributor, points=batch)
        second = threading.Thread(target=resend)
        second.start()
        # The re-sent batch waits on the first one's uncommitted points instead of failing on them.
        _wait_for_a_blocked_query()
    second.join()
    assert results == {"first": {"created": 20, "skipped": 0}, "second": {"created": 0, "skipped": 20}}
    assert KPIMeasurement.objects.count() == KPIMeasurement.history.count() == 20


def test_on_conflict_update_corrects_stored_points(contributor):
    kpi = KPIFactory()
    client = api_client(contributor)
    client.post(URL, points([kpi], 4), format="json")
    corrected = points([kpi], 6)
    corrected[1]["value"] = 99.5
    corrected[2]["note"] = "recalibrated sensor"
    response = client.post(f"{URL}?on_conflict=update", corrected, format="json")
    assert response.status_code == 201, response.json()
    # Points 0 and 3 are stored as sent (skipped), 1 and 2 corrected, 4 and 5 new.
    assert response.json() == {"created": 2, "updated": 2, "skipped": 2}
    assert KPIMeasurement.objects.count() == 6
    second = KPIMeasurement.objects.get(observed_at=START + timedelta(minutes=1))
    assert (second.value, second.version) == (99.5, 2)
    assert KPIMeasurement.objects.get(observed_at=START + timedelta(minutes=2)).note == "recalibrated sensor"
    assert KPIMeasurement.objects.get(observed_at=START).version == 1
    changes = KPIMeasurement.history.filter(history_type="~")
    assert {(r.id, r.value, r.history_user_id, r.history_channel) for r in changes} >= {
        (second.pk, 99.5, contributor.pk, "api")
    }
    assert changes.count() == 2
    # Without the parameter a stored point is still skipped, never changed.
    again = [{**corrected[1], "value": 1.0}]
    assert client.post(URL, again, format="json").json() == {"created": 0, "skipped": 1}
    assert KPIMeasurement.objects.get(pk=second.pk).value == 99.5


def test_on_conflict_update_corrects_only_the_points_the_user_may_change(personas):
    kpi = KPIFactory()
    api_client(personas["leader"]).post(URL, points([kpi], 2), format="json")
    others = points([kpi], 2)
    others[0]["value"] = 7.0
    refused = api_client(personas["contributor"]).post(f"{URL}?on_conflict=update", others, format="json")
    assert refused.status_code == 403 and "1 point(s)" in refused.json()["detail"]
    assert KPIMeasurement.objects.filter(value=7.0).count() == 0
    allowed = api_client(personas["leader"]).post(f"{URL}?on_conflict=update", others, format="json")
    assert allowed.json() == {"created": 0, "updated": 1, "skipped": 1}


def test_an_unknown_on_conflict_answers_400(contributor):
    kpi = KPIFactory()
    response = api_client(contributor).post(f"{URL}?on_conflict=replace", points([kpi], 1), format="json")
    assert response.status_code == 400 and "on_conflict" in response.json()
    assert not KPIMeasurement.objects.exists()


def test_a_full_legal_batch_of_3_4_mb_is_admitted(contributor):
    # 10,000 points with 250-character notes: the body limit admits the documented maximum.
    kpis = KPIFactory.create_batch(2)
    batch = [{**p, "note": "n" * 250, "source": "s" * 20} for p in points(kpis, BULK_LIMIT)]
    body = json.dumps(batch)
    assert len(body) > 3_300_000
    response = api_client(contributor).post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert response.json() == {"created": BULK_LIMIT, "skipped": 0}
