"""Django configured like production (DEBUG off, hashed static off the request path, real
middleware) on the benchmark's own PostgreSQL database, created when missing."""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vpportal_bench"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def ensure_database(url: str):
    """Create the database named in `url` when it does not exist (PostgreSQL only)."""
    import psycopg

    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The benchmarks need PostgreSQL (COPY, date_trunc); got {parts.scheme}://")
    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def configure(url: str, *, testing: bool = False):
    """Set the environment the settings read, then set Django up. Under pytest (`testing`), the
    test settings and database are kept as they are."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpportal.settings")
    if not testing:
        os.environ["DATABASE_URL"] = url
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
        # The in-process client speaks plain HTTP; everything else stays as in production.
        os.environ["SECURE_COOKIES"] = "0"
        os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
        # Throttling stays on (its cost is measured) with a rate the run cannot reach.
        os.environ["API_THROTTLE_USER"] = "100000000/hour"
        os.environ.setdefault("CONN_MAX_AGE", "600")
        # Pages link static files; hashed names need collectstatic, which the load test runs instead.
        os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    import django

    django.setup()
