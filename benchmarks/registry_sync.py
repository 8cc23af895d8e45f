"""Time and peak memory of a model-registry sync against a real MLflow server, at two registry sizes.

    python benchmarks/registry_sync.py [--models 1000] [--versions 10] [--page-size 100] [--mlflow-port N]

Starts `mlflow server` (tests/registry/server.py; or uses the one at --mlflow-port), seeds it
through its REST API with `--models` registered models of `--versions` versions each (and a tenth
of that first), then syncs each registry into a fresh portal database (PostgreSQL: BENCH_DATABASE_URL,
default vpportal_bench, created and migrated when missing; its integrations and AI systems are
emptied first). For each size it prints the sync's time and the peak of Python allocations
during the sync (tracemalloc, above what was allocated before it). The sync reads and writes one
page at a time (integrations/registry.py), so the peak follows the page size, not the registry:
with the claim broken, the peak at ten times the models would be about ten times as high. Exits 1
when the larger registry's peak is more than twice the smaller one's.
"""

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import configure, database_url, ensure_database  # noqa: E402


def seed(url: str, models: int, versions: int, prefix: str) -> None:
    import httpx

    api = url + "/api/2.0/mlflow/"
    with httpx.Client(timeout=30) as http:
        for m in range(models):
            name = f"{prefix}-{m:05d}"
            http.post(api + "registered-models/create", json={"name": name}).raise_for_status()
            for _ in range(versions):
                body = {"name": name, "source": f"s3://bench/{name}"}
                http.post(api + "model-versions/create", json=body).raise_for_status()


def empty(url: str) -> None:
    import httpx

    api = url + "/api/2.0/mlflow/"
    with httpx.Client(timeout=30) as http:
        while (
            models := http.get(api + "registered-models/search", params={"max_results": 1000})
            .json()
            .get("registered_models")
        ):
            for model in models:
                http.request(
                    "DELETE", api + "registered-models/delete", json={"name": model["name"]}
                ).raise_for_status()


def measure(tracking_url: str, page_size: int) -> dict:
    from governance.models import AISystem
    from integrations.models import ModelSource
    from integrations.registry import sync_source

    ModelSource.objects.all().delete()
    AISystem.objects.all().delete()
    source = ModelSource.objects.create(name="bench", tracking_uri=tracking_url)
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    started = time.perf_counter()
    report = sync_source(source, page_size=page_size)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "models": report["registered_models"],
        "versions": report["versions"],
        "seconds": round(seconds, 1),
        "peak_mb": round((peak - before) / 2**20, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--mlflow-port", type=int)
    args = parser.parse_args()

    url = database_url()
    ensure_database(url)
    configure(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from tests.registry.server import External, MlflowServer

    server = External(args.mlflow_port) if args.mlflow_port else MlflowServer()
    results = {}
    try:
        for models in (max(args.models // 10, 1), args.models):
            empty(server.url)
            started = time.perf_counter()
            seed(server.url, models, args.versions, "bench")
            seeded = round(time.perf_counter() - started, 1)
            results[models] = {"seeded_in_seconds": seeded, **measure(server.url, args.page_size)}
            print(json.dumps({"registered_models": models, "versions_each": args.versions, **results[models]}))
        empty(server.url)
    finally:
        server.stop()
    small, large = results.values()
    if large["peak_mb"] > 2 * max(small["peak_mb"], 1):
        print("The peak grew with the registry: the sync holds more than a page at a time.")
        sys.exit(1)


if __name__ == "__main__":
    main()
