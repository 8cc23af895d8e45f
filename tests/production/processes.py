"""The app run as production runs it, in processes of its own: the environment, `manage.py`
commands and gunicorn. Shared by the smoke, outage and deploy tests."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests.run_once import built_once, shared_dir

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on (bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, **overrides) -> dict:
    """Production settings (DEBUG off, a secret key, its own SQLite file under `tmp_path`), without
    the test run's own Django and database variables; `overrides` win."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "TESTING", "DATABASE_URL"))
    }
    env.update(
        DEBUG="0",
        TESTING="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_SETTINGS_MODULE="vpportal.settings",
        EMAIL_URL="consolemail://",
    )
    env.update(overrides)
    return env


def manage(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def start_gunicorn(env, *, workers: int = 1, **popen) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the app on a free loopback port: (process, port)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vpportal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
        + ["--timeout", "30"],
        cwd=ROOT,
        env=env,
        **popen,
    )
    return process, port


# What every production-profile test needs and no test changes, built once per test run
# (tests/run_once.py): the migrated database (copied for each use) and the collected static files
# (hashed and compressed, as deployed; read only). The xdist controller starts building them in the
# background at the session start (`python -m tests.production.prepare`, tests/conftest.py), so that
# no worker sits idle for the minute they take on a busy machine.
MIGRATED = "production-migrated.sqlite3"
STATIC = "production-static"


def _migrate(partial: Path) -> None:
    result = manage(production_env(partial.parent, DATABASE_URL=f"sqlite:///{partial}"), "migrate", "--noinput")
    assert result.returncode == 0, result.stderr


def _collect_static(partial: Path) -> None:
    result = manage(production_env(partial.parent, STATIC_ROOT=str(partial)), "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr


BUILDERS = {MIGRATED: _migrate, STATIC: _collect_static}


def prepared(shared: Path, name: str) -> Path:
    return built_once(shared, name, BUILDERS[name])


def migrated_database(tmp_path_factory, tmp_path) -> str:
    """A DATABASE_URL for a fresh SQLite file under `tmp_path`, already migrated: a copy of the run's
    migrated database."""
    target = tmp_path / "prod.sqlite3"
    shutil.copyfile(prepared(shared_dir(tmp_path_factory), MIGRATED), target)
    return f"sqlite:///{target}"


def collected_static(tmp_path_factory) -> str:
    """The STATIC_ROOT of the run's collected static files (shared: servers only read it)."""
    return str(prepared(shared_dir(tmp_path_factory), STATIC))
