"""(d) Bulk ingest of 10,000 KPI points through the API against a raw psycopg COPY of the same rows
into the same table. Each run is rolled back, so the table stays as seeded and runs are alike."""

import json
import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from initiatives.models import KPI, KPIMeasurement
from vpportal.events.models import Event

from .timing import Result, ms

POINTS = 10_000
INGEST_TARGET = 0.4


def _points(kpi_ids, count):
    start = timezone.now().replace(microsecond=0) - timedelta(days=400)
    return [
        {
            "kpi": kpi_ids[i % len(kpi_ids)],
            "observed_at": (start + timedelta(seconds=30 * i)).isoformat(),
            "value": round(40 + (i % 97) * 0.5, 2),
            "source": "bench-ingest",
        }
        for i in range(count)
    ]


def _copy(points, user_id):
    table = KPIMeasurement._meta.db_table
    columns = "created_at, updated_at, created_by_id, updated_by_id, version, kpi_id, observed_at, value, source, note"
    now = timezone.now()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for p in points:
            copy.write_row((now, now, user_id, user_id, 1, p["kpi"], p["observed_at"], p["value"], p["source"], ""))


def _timed_in_rollback(fn, written=None) -> float:
    with transaction.atomic():
        history, events = _last_ids()
        started = time.perf_counter()
        fn()
        seconds = time.perf_counter() - started
        if written is not None:
            written.update(_written_since(history, events))
        transaction.set_rollback(True)
    return seconds


def _last_ids():
    history = KPIMeasurement.history.model.objects.order_by("-history_id").values_list("history_id", flat=True)
    return history.first() or 0, Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _written_since(history: int, events: int) -> dict:
    """The history rows and events the ingest wrote (it must write both: the target is with them)."""
    return {
        "history": KPIMeasurement.history.model.objects.filter(history_id__gt=history).count(),
        "events": Event.objects.filter(id__gt=events).count(),
    }


def ingest(ctx, scale, client: Client) -> list[Result]:
    kpi_ids = list(KPI.objects.order_by("pk").values_list("pk", flat=True)[:20])
    points = _points(kpi_ids, POINTS)
    body = json.dumps(points)
    user_id = ctx["user"].pk

    def api():
        response = client.post("/api/v1/kpi-measurements/bulk/", body, content_type="application/json")
        if response.status_code != 201 or response.json()["created"] != POINTS:
            raise SystemExit(f"bulk ingest answered {response.status_code}: {response.content[:300]!r}")

    runs = max(3, scale.repeat // 3)
    api_times, copy_times = [], []
    written: dict = {}
    for i in range(runs + 1):
        a = _timed_in_rollback(api, written if i == 0 else None)
        c = _timed_in_rollback(lambda: _copy(points, user_id))
        if i:  # the first pair warms up
            api_times.append(a)
            copy_times.append(c)
    if written["history"] != POINTS or not written["events"]:
        raise SystemExit(f"bulk ingest wrote {written}: a history row per point and events are the target's terms")
    api_s, copy_s = sorted(api_times)[len(api_times) // 2], sorted(copy_times)[len(copy_times) // 2]
    return [
        Result(
            "d.api.bulk_ingest_10000_vs_copy",
            copy_s / api_s,
            INGEST_TARGET,
            higher_is_better=True,
            enforced=scale.enforce,
            detail=f"API {ms(api_s)} ({POINTS / api_s:,.0f} points/s; {written['history']:,} history rows and "
            f"{written['events']} events written) vs COPY {ms(copy_s)} (neither)",
        )
    ]
