"""Profile one request through the full WSGI stack: `python benchmarks/profiling.py [--scale ci]
[--repeat 20] [--clear-cache] URL...` prints cProfile's heaviest functions (own time and
cumulative) for each URL (docs/scaling.md summarises what it showed)."""

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import configure, database_url, ensure_database  # noqa: E402
from benchmarks.scales import SCALES  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--scale", choices=sorted(SCALES), default="ci")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--clear-cache", action="store_true", help="Clear the cache before every call.")
    args = parser.parse_args(argv)
    url = database_url()
    ensure_database(url)
    configure(url)
    from django.core.cache import cache

    from benchmarks import dataset
    from benchmarks.run import client_for

    ctx = dataset.ensure(SCALES[args.scale], sys.stdout)
    client, override = client_for(ctx["user"])
    try:
        for target in args.urls:
            for _ in range(3):
                client.get(target)
            profiler = cProfile.Profile()
            for _ in range(args.repeat):
                if args.clear_cache:
                    cache.clear()
                profiler.enable()
                response = client.get(target)
                profiler.disable()
                assert response.status_code == 200, (target, response.status_code)
            for sort in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.top)
                print(f"=== {target} x{args.repeat}, by {sort}\n{out.getvalue()}")
    finally:
        override.disable()
    return 0


if __name__ == "__main__":
    sys.exit(main())
