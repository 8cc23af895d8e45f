"""A real Celery worker process for the tests that claim worker behaviour: `celery -A vpportal worker`
as production runs it, on the local Redis, on this test process's own queue and test database."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        TESTING="1",
        DJANGO_SETTINGS_MODULE="vpportal.settings",
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        # A job of a worker killed outright is handed out again this soon (production: minutes).
        CELERY_VISIBILITY_TIMEOUT="5",
        CELERY_UNACKED_RESTORE_SECONDS="1",
        WEBHOOK_ALLOW_PRIVATE_TARGETS="1",
        WEBHOOK_BACKOFF_BASE_SECONDS="0.5",
        WEBHOOK_BACKOFF_MAX_SECONDS="2",
        # A worker killed while delivering holds its subscription this long (production: a minute).
        WEBHOOK_LEASE_SECONDS="6",
        EMAIL_URL=f"filemail://{Path(settings.CELERY_QUEUE_DIR) / 'test-mail'}",
    )
    env.update(overrides)
    return env


def start_celery(
    command: list, *, env: dict, log, log_path: Path, ready=b" ready.", timeout: float = 90, failure=RuntimeError
):
    """`celery -A vpportal <command>` in its own process group, so kill -9 reaches its pool too;
    answers the process once its log (`log`, the open file at `log_path`) shows `ready`. `failure`
    is raised with the log's end when it exits or is not ready within `timeout` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "vpportal", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise failure(f"The Celery process exited:\n{log_path.read_text()[-3000:]}")
        if ready in log_path.read_bytes():
            return process
        time.sleep(0.2)
    raise failure(f"The Celery process did not start:\n{log_path.read_text()[-3000:]}")


def start_worker(args: list, **options):
    """`celery -A vpportal worker -l info <args>` without gossip and mingle (start_celery's options).
    The load test (benchmarks/scaleout.py) starts its worker so too."""
    return start_celery(["worker", "-l", "info", *args, "--without-gossip", "--without-mingle"], **options)


class Worker:
    """`celery -A vpportal worker` in its own process group; `kill()` is kill -9 on all of it."""

    READY = b" ready."

    def __init__(self, log_path: Path, concurrency: int = 2, **env):
        self.log_path = log_path
        self.env = worker_env(**env)
        self.concurrency = concurrency
        self.process = None

    def command(self) -> list[str]:
        self.node = f"{self.env['CELERY_QUEUE']}-{time.time_ns()}@{socket.gethostname()}"
        return (
            ["worker", "-l", "info", "-c", str(self.concurrency)]
            + ["-Q", self.env["CELERY_QUEUE"], "-n", self.node]
            + ["--without-gossip", "--without-mingle", "--pool", "prefork"]
        )

    def wait_idle(self, timeout: float = 60) -> bool:
        """Until the queue is empty and the worker runs nothing: a test that made the worker busy
        (its changes' events start a fan-out) waits for it before the database is flushed (a worker
        reading tables while PostgreSQL truncates them deadlocks the flush)."""
        import redis

        from vpportal.celery import app

        broker = redis.Redis.from_url(self.env["CELERY_BROKER_URL"])

        def idle():
            if broker.llen(self.env["CELERY_QUEUE"]):
                return False
            inspect = app.control.inspect(destination=[self.node], timeout=1)
            active, reserved = inspect.active(), inspect.reserved()
            return active is not None and not any(active.values()) and not any((reserved or {}).values())

        return wait_for(idle, timeout, interval=0.5)

    def start(self, timeout: float = 90):
        self.log = open(self.log_path, "ab")  # noqa: SIM115  (open for the worker's lifetime)
        self.process = start_celery(
            self.command(),
            env=self.env,
            log=self.log,
            log_path=self.log_path,
            ready=self.READY,
            timeout=timeout,
        )
        return self

    def kill(self):
        """kill -9 the worker and its pool processes (what an OOM kill or a lost machine does)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait(30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def restart(self):
        self.kill()
        self.log.close()
        return self.start()


class Beat(Worker):
    """`celery -A vpportal beat` as production runs it (one per deployment), sending the schedule of
    settings.py to this test process's queue; its schedule file in the log's folder."""

    READY = b"beat: Starting"

    def __init__(self, log_path: Path, **env):
        super().__init__(log_path, **env)
        self.schedule = log_path.with_suffix(".schedule")

    def command(self) -> list[str]:
        return ["beat", "-l", "info", "-s", str(self.schedule)]


@contextmanager
def broker_unreachable():
    """This process publishes to a broker address nothing listens on, inside the block (a broker
    outage as the app servers see it); then to the test broker again. kombu keeps pools per
    connection in a registry: they are reset, not just closed (a closed pool left in the registry
    fails every later publish of the process with "Acquire on closed pool")."""
    from kombu import pools

    from vpportal.celery import app

    def point_at(url):
        pools.reset()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = url, None, None

    point_at("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        point_at(settings.CELERY_BROKER_URL)


def wait_for(condition, timeout: float = 60, interval: float = 0.2):
    """Poll `condition()` until it is truthy (a worker finishes in its own time); its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
