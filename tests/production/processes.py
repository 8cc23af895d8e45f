"""The app run as production runs it, in processes of its own: the environment, `manage.py`
commands and gunicorn. Shared by the smoke, outage and deploy tests."""

import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

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


def migrated_database(tmp_path_factory, tmp_path) -> str:
    """A DATABASE_URL for a fresh SQLite file under `tmp_path`, already migrated: a copy of one file
    that `manage.py migrate` built once per test run (the whole chain takes a minute on a busy
    machine, and every production-profile test needs the same result). The xdist workers of a run
    share it under a file lock; a run without xdist builds its own."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    template = shared / "production-migrated.sqlite3"
    with open(shared / "production-migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            partial = shared / "production-migrating.sqlite3"
            partial.unlink(missing_ok=True)
            result = manage(production_env(tmp_path, DATABASE_URL=f"sqlite:///{partial}"), "migrate", "--noinput")
            assert result.returncode == 0, result.stderr
            partial.rename(template)
    target = tmp_path / "prod.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
