"""Run the benchmarks: `python benchmarks/run.py --scale full|ci` (make bench / make bench-ci).

In-process: Django's test Client calls the full WSGI stack (every middleware, sessions, auth) with
DEBUG off, against PostgreSQL (BENCH_DATABASE_URL, default vpportal_bench, created when missing).
Each result is one line `name: ratio (target)`, a median of alternating runs against a baseline
measured in the same run. At full scale a missed target exits 1; at ci scale ratios are reported
(too noisy at tiny sizes) while query counts, and every benchmark running at all, still fail the run.
"""

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import configure, database_url, ensure_database  # noqa: E402
from benchmarks.scales import SCALES  # noqa: E402

SECTIONS = ("lists", "growth", "dashboard", "report", "ingest", "trend", "webhooks")


def client_for(user):
    from django.test import Client, override_settings

    override = override_settings(ROOT_URLCONF="benchmarks.urls")
    override.enable()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client, override


def run(scale, sections=SECTIONS, stdout=sys.stdout) -> list:
    """Every result of the chosen sections (the harness's API, also used by tests/benchmarks)."""
    from benchmarks import dashboard, dataset, ingest, lists, report, trend, webhooks

    ctx = dataset.ensure(scale, stdout)
    client, override = client_for(ctx["user"])
    measures = {
        "lists": lists.api_lists,
        "growth": lists.growth,
        "dashboard": dashboard.dashboard,
        "report": report.report,
        "ingest": ingest.ingest,
        "trend": trend.trend,
        "webhooks": webhooks.webhooks,
    }
    results = []
    try:
        for name in sections:
            started = time.monotonic()
            section = measures[name](ctx, scale, client)
            for result in section:
                stdout.write(result.line() + "\n")
                stdout.flush()
            stdout.write(f"  ({name}: {time.monotonic() - started:.0f} s)\n")
            results += section
    finally:
        override.disable()
    if ctx["seed_seconds"] is not None:
        stdout.write(f"seeding took {ctx['seed_seconds']:.0f} s\n")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="Run only these sections.")
    parser.add_argument(
        "--list", action="append", dest="lists", help="Measure only these lists (benchmarks/endpoints.py names)."
    )
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    url = database_url()
    ensure_database(url)
    configure(url)
    if args.lists:
        from benchmarks import endpoints

        unknown = set(args.lists) - {e.name for e in endpoints.ENDPOINTS}
        if unknown:
            parser.error(f"unknown list(s): {', '.join(sorted(unknown))}")
        endpoints.ENDPOINTS[:] = [e for e in endpoints.ENDPOINTS if e.name in args.lists]
    started = time.monotonic()
    print(f"VP Portal benchmarks, scale {scale.name}, database {url.rsplit('/', 1)[-1]}, in-process WSGI client")
    results = run(scale, args.only or SECTIONS)
    missed = [r for r in results if r.enforced and not r.met]
    print(f"{len(results)} results in {time.monotonic() - started:.0f} s; {len(missed)} enforced target(s) missed.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
