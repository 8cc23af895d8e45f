"""A model-registry sync against a real MLflow server: its memory at two registry sizes, its time
against reading the same registry bare, measured in the same run.

    python benchmarks/registry_sync.py [--models 1000] [--versions 10] [--page-size 100] [--mlflow-port N]

Starts `mlflow server` (tests/registry/server.py; or uses the one at --mlflow-port), then for a
registry of `--models / 10` registered models of `--versions` versions each, and again once it is
grown to `--models` (seeded through MLflow's REST API), syncs it into an empty portal database
(PostgreSQL: BENCH_DATABASE_URL, default vpportal_bench_registry, its own database because the
registry tables and AI systems are emptied before each size; created and migrated when missing).

For each size it measures, one after the other:
- the first sync (everything created: AI systems, versions, their history and events) under
  tracemalloc: what it holds (the live allocations above those before it, noted after collecting
  the cyclic garbage each time it asks for a page) and its raw peak;
- the second sync (nothing changes: idempotent), timed;
- the baselines: the same pages read from MLflow with a bare httpx loop (no database), timed before
  and after the syncs (the lower of the two); and the live allocations of all those pages kept
  (what a sync that read the registry first would hold).
The lines are `name: ratio (target)` (benchmarks/timing.py). Enforced: what the sync holds at the
larger registry over the registry's pages kept (the sync reads and writes a page at a time; with
the claim broken the ratio would be 1 or more), and the first sync's time over the bare read at
the larger registry over the same at the smaller (the sync's time grows as reading the registry
does, no quadratic step; each size's own bare read normalises it, since the two sizes cannot
alternate and the machine's load differs between them). Reported: what the sync holds, larger
registry over smaller (it does grow, by the ids of the new records' events that the transaction
keeps for its commit, ~40 bytes a version), the raw peak, each sync's time over the bare read (the
first one's includes tracemalloc's own cost). Exits 1 when an enforced target is missed or a sync's report does not count what was seeded.
"""

import argparse
import gc
import json
import logging
import sys
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import configure, ensure_database  # noqa: E402
from benchmarks.timing import Result  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vpportal_bench_registry"
PEAK_GROWTH_TARGET = 2.0
HELD_TARGET = 0.2
TIME_GROWTH_TARGET = 1.5
API = "/api/2.0/mlflow/"


def seed(url: str, start: int, stop: int, versions: int, prefix: str = "bench") -> None:
    """Registered models `start`..`stop - 1`, `versions` versions each."""
    import httpx

    with httpx.Client(base_url=url + API, timeout=60) as http:
        for m in range(start, stop):
            name = f"{prefix}-{m:05d}"
            http.post("registered-models/create", json={"name": name}).raise_for_status()
            for _ in range(versions):
                body = {"name": name, "source": f"s3://bench/{name}"}
                http.post("model-versions/create", json=body).raise_for_status()


def empty_registry(url: str) -> None:
    import httpx

    with httpx.Client(base_url=url + API, timeout=60) as http:
        while (
            models := http.get("registered-models/search", params={"max_results": 1000}).json().get("registered_models")
        ):
            for model in models:
                http.request("DELETE", "registered-models/delete", json={"name": model["name"]}).raise_for_status()


def read_bare(url: str, page_size: int) -> tuple[float, int, int]:
    """The baseline: every page of registered models and of model versions, as the sync asks for
    them, read and decoded and dropped. Seconds, models, versions."""
    import httpx

    started, counts = time.perf_counter(), []
    with httpx.Client(base_url=url + API, timeout=60) as http:
        for endpoint, key in (
            ("registered-models/search", "registered_models"),
            ("model-versions/search", "model_versions"),
        ):
            params, seen = {"max_results": page_size}, 0
            while True:
                answer = http.get(endpoint, params=params)
                answer.raise_for_status()
                data = answer.json()
                seen += len(data.get(key) or [])
                if not data.get("next_page_token"):
                    break
                params = {**params, "page_token": data["next_page_token"]}
            counts.append(seen)
    return time.perf_counter() - started, *counts


def registry_as_read(url: str, page_size: int) -> int:
    """The memory baseline: the live allocations of every page of registered models and model
    versions kept, as a sync that read the registry first would hold them (tracemalloc)."""
    import httpx

    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    kept = []
    with httpx.Client(base_url=url + API, timeout=60) as http:
        for endpoint, key in (
            ("registered-models/search", "registered_models"),
            ("model-versions/search", "model_versions"),
        ):
            params = {"max_results": page_size}
            while True:
                data = http.get(endpoint, params=params).json()
                kept.append(data.get(key) or [])
                if not data.get("next_page_token"):
                    break
                params = {**params, "page_token": data["next_page_token"]}
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return held


def empty_portal() -> None:
    """The registry's tables, AI systems, their history and the events, emptied (this database is
    the benchmark's own)."""
    from django.db import connection

    from governance.models import AISystem
    from integrations.models import AISystemVersion, KPIFeed, ModelSource, Notification, RegisteredModel
    from vpportal.events.models import Event

    models = (AISystemVersion, RegisteredModel, KPIFeed, ModelSource, AISystem, Notification, Event)
    tables = [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in (AISystem, AISystemVersion)]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        cursor.execute("VACUUM ANALYZE")


def new_source(url: str):
    from integrations.models import ModelSource

    return ModelSource.objects.create(name="bench", tracking_uri=url)


def first_sync(url: str, page_size: int) -> dict:
    """The sync, under tracemalloc; each time the sync asks for a page (done with the one before),
    the cyclic garbage is collected and the live allocations noted: their highest is what the sync
    holds. The raw peak also counts garbage the collector has not reached yet (its full collections
    come when enough objects have piled up, however large the registry), so it is reported beside."""
    from integrations.mlflow_client import MlflowRest
    from integrations.registry import sync_source

    source = new_source(url)
    real_pages, held = MlflowRest.pages, [0]

    def pages(self, endpoint, key, **kwargs):
        for page in real_pages(self, endpoint, key, **kwargs):
            yield page
            gc.collect()
            held[0] = max(held[0], tracemalloc.get_traced_memory()[0] - before)

    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    MlflowRest.pages = pages
    started = time.perf_counter()
    try:
        report = sync_source(source, page_size=page_size)
    finally:
        MlflowRest.pages = real_pages
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"report": report, "seconds": seconds, "held_bytes": held[0], "peak_bytes": peak - before, "source": source}


def second_sync(source, page_size: int) -> dict:
    from integrations.registry import sync_source

    started = time.perf_counter()
    report = sync_source(source, page_size=page_size)
    return {"report": report, "seconds": time.perf_counter() - started}


def measure(url: str, models: int, versions: int, page_size: int) -> dict:
    empty_portal()
    read_before, *counted = read_bare(url, page_size)
    first = first_sync(url, page_size)
    second = second_sync(first["source"], page_size)
    read_after, *_ = read_bare(url, page_size)
    as_read = registry_as_read(url, page_size)
    expected_first = {"registered_models": {"created": models}, "versions": {"created": models * versions}}
    expected_second = {"registered_models": {"unchanged": models}, "versions": {"unchanged": models * versions}}
    problems = [
        f"{name} sync reported {got} for {want}"
        for name, report, want in (
            ("first", first["report"], expected_first),
            ("second", second["report"], expected_second),
        )
        for key in want
        if (got := report[key]) != want[key]
    ]
    if counted != [models, models * versions]:
        problems.append(f"the bare read counted {counted}, not {[models, models * versions]}")
    return {
        "models": models,
        "versions": models * versions,
        "read_seconds": min(read_before, read_after),
        "first_seconds": first["seconds"],
        "second_seconds": second["seconds"],
        "held_bytes": first["held_bytes"],
        "registry_bytes": as_read,
        "peak_bytes": first["peak_bytes"],
        "problems": problems,
    }


def results(small: dict, large: dict) -> list[Result]:
    mb = lambda b: f"{b / 2**20:.1f} MB"  # noqa: E731
    lines = [
        Result(
            f"registry.{large['models']}_models.memory_held_over_registry_as_read",
            large["held_bytes"] / large["registry_bytes"],
            HELD_TARGET,
            detail=f"{mb(large['held_bytes'])} against {mb(large['registry_bytes'])}",
        ),
        Result(
            "registry.memory_held_large_over_small",
            large["held_bytes"] / max(small["held_bytes"], 1),
            PEAK_GROWTH_TARGET,
            enforced=False,
            detail=f"{large['versions']} versions {mb(large['held_bytes'])}, "
            f"{small['versions']} versions {mb(small['held_bytes'])} (live after collection, between pages)",
        ),
        Result(
            "registry.raw_peak_large_over_small",
            large["peak_bytes"] / max(small["peak_bytes"], 1),
            PEAK_GROWTH_TARGET,
            enforced=False,
            detail=f"{mb(large['peak_bytes'])} and {mb(small['peak_bytes'])} (garbage not yet collected included)",
        ),
        Result(
            "registry.first_sync_over_bare_read_large_over_small",
            (large["first_seconds"] / large["read_seconds"]) / (small["first_seconds"] / small["read_seconds"]),
            TIME_GROWTH_TARGET,
            detail=f"{large['first_seconds'] / large['versions'] * 1000:.1f} ms a version at {large['versions']}, "
            f"{small['first_seconds'] / small['versions'] * 1000:.1f} ms at {small['versions']}",
        ),
    ]
    for size in (small, large):
        for which in ("first", "second"):
            lines.append(
                Result(
                    f"registry.{size['models']}_models.{which}_sync_over_bare_read",
                    size[f"{which}_seconds"] / size["read_seconds"],
                    {"first": 200.0, "second": 5.0}[which],
                    enforced=False,
                    detail=f"{size[f'{which}_seconds']:.1f} s against {size['read_seconds']:.1f} s",
                )
            )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--mlflow-port", type=int)
    parser.add_argument("--database-url", default=None, help="default: BENCH_DATABASE_URL or " + DEFAULT_URL)
    args = parser.parse_args(argv)

    import os

    url = args.database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    configure(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise

    from tests.registry.server import External, MlflowServer

    server = External(args.mlflow_port) if args.mlflow_port else MlflowServer()
    small_models = max(args.models // 10, 1)
    sizes = []
    print(
        f"Registry sync benchmark: {small_models} then {args.models} registered models x {args.versions} "
        f"versions, page size {args.page_size}, database {url.rsplit('/', 1)[-1]}"
    )
    try:
        empty_registry(server.url)
        empty_portal()
        # A warm-up sync (imports, Django's and the serializers' caches), not measured.
        seed(server.url, 0, 3, 2, prefix="warm")
        first_sync(server.url, args.page_size)
        empty_registry(server.url)
        seeded = 0
        for models in (small_models, args.models):
            started = time.perf_counter()
            seed(server.url, seeded, models, args.versions)
            seeded = models
            print(f"  seeded {models} models in MLflow ({time.perf_counter() - started:.0f} s)", flush=True)
            sizes.append(measure(server.url, models, args.versions, args.page_size))
            print("  " + json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in sizes[-1].items()}))
        empty_registry(server.url)
    finally:
        server.stop()
    lines = results(*sizes)
    for line in lines:
        print(line.line())
    problems = [p for size in sizes for p in size["problems"]]
    for problem in problems:
        print("PROBLEM:", problem)
    missed = [r for r in lines if r.enforced and not r.met]
    print(f"{len(lines)} results; {len(missed)} enforced target(s) missed.")
    return 1 if missed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
