"""Load test: gunicorn with the production settings on PostgreSQL, driven over loopback by this
second process (threads, one API token each) for a bounded time.

    python benchmarks/load.py [--users 6] [--workers 3] [--duration 60] [--restart-duration 45]
                              [--restart-mode fast|immediate] [--down-seconds 3] [--no-restart]
    python benchmarks/load.py --database-url postgres://... [--restart-cmd "..."]

By default the run owns its database server: a private, throwaway PostgreSQL cluster on a free
loopback port (benchmarks/cluster.py), seeded with the ci-scale dataset and deleted at the end, so
restarting it disturbs nobody. With --database-url it uses that database instead and restarts it
only when --restart-cmd says how.

Phase "steady": reads (lists, details, dashboard) and writes (single KPI points, bulk posts of 50
points, initiative edits with If-Match) by several users; zero 5xx allowed. Phase "restart": the
same mix while PostgreSQL is stopped and started again; requests may fail while it is down, as 503
(the outage middleware) and only then (the driver retries writes: bulk posts are idempotent, single
points are re-checked); the app must recover by itself. Both phases: every acknowledged write must
be in the database afterwards. Reports throughput, p50/p95/p99 and answers by status; exits 1 when
a target is missed.
"""

import argparse
import os
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cluster import PrivateCluster, pg_bindir  # noqa: E402
from benchmarks.environment import ROOT, configure, ensure_database  # noqa: E402
from benchmarks.scaleout import (  # noqa: E402
    REDIS_URL,
    Balancer,
    Receiver,
    Worker,
    check_webhooks,
    drained,
    scaleout_env,
    subscribe,
    worker_log_summary,
)

BIN = Path(sys.executable).parent
PRIVATE_DATABASE = "vpportal_load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(users: int):
    """Data and API tokens for the load users (executives, so every operation is allowed)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from knox.models import AuthToken

    from benchmarks import dataset
    from benchmarks.scales import CI
    from initiatives.models import KPI, Initiative
    from vpportal.permissions import EXECUTIVE

    dataset.ensure(CI, sys.stdout)  # no-op when the full dataset is there
    group, _ = Group.objects.get_or_create(name=EXECUTIVE)
    tokens = []
    for i in range(users):
        user, _ = get_user_model().objects.get_or_create(username=f"load-user-{i}")
        user.groups.add(group)
        tokens.append(AuthToken.objects.create(user, expiry=timedelta(hours=2))[1])
    initiatives = list(Initiative.objects.order_by("pk").values_list("pk", flat=True)[:users])
    kpis = list(KPI.objects.order_by("pk").values_list("pk", flat=True)[:20])
    return tokens, initiatives, kpis


class Server:
    """gunicorn with production settings: DEBUG off, hashed static files, SECRET_KEY set. Its output
    goes to a log file that each phase reads back (tracebacks are reported, not scrolled past)."""

    def __init__(self, url: str, port: int, workers: int, extra_env=None, static=None):
        self.collect = static is None  # a second server serves the first one's collected files
        self.static = static or tempfile.mkdtemp(prefix="vp-load-static-")
        self.log_path = Path(tempfile.mkdtemp(prefix="vp-load-log-")) / "gunicorn.log"
        self.log_offset = 0
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STATIC_ROOT": self.static,
            # Hashed names as in production, without whitenoise's gzip/brotli pass (90 s on this machine):
            # the load drives the API, and precompressed files only change how static files are sent.
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback; behind the load balancer TLS is on.
            "SECURE_COOKIES": "0",
            # The load users make thousands of calls a minute; production keeps its default rate.
            "API_THROTTLE_USER": "100000000/hour",
            **(extra_env or {}),
        }
        self.env.pop("TESTING", None)
        self.port, self.workers, self.proc = port, workers, None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if self.collect:
            subprocess.run(
                [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
            )
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [BIN / "gunicorn", "vpportal.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
                + ["--threads", "4", "--timeout", "60", "--log-level", "warning"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health/", timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer /health/ within 20 s:\n{self.log_path.read_text()[-3000:]}")

    def new_log(self) -> str:
        """What the server logged since the last call."""
        with open(self.log_path, errors="replace") as log:
            log.seek(self.log_offset)
            text = log.read()
            self.log_offset = log.tell()
        return text

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.collect:
            shutil.rmtree(self.static, ignore_errors=True)
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


def failed(status) -> bool:
    """A 5xx answer, or no answer at all ("error": refused, reset or timed out)."""
    return status == "error" or (isinstance(status, int) and status >= 500)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = []  # (op, started, ended, status), monotonic seconds
        self.acked_points: set = set()  # (kpi, observed_at iso, source)
        self.acked_edits = Counter()  # initiative id -> acknowledged PATCHes
        self.backends = Counter()  # which app server answered (HAProxy's X-Backend)
        self.errors = Counter()  # connection errors, by exception

    def record(self, op: str, started: float, ended: float, status):
        with self.lock:
            self.calls.append((op, started, ended, status))


class User(threading.Thread):
    """One simulated user: a fixed mix of reads and writes until the deadline."""

    MIX = ["list"] * 4 + ["detail"] * 3 + ["dashboard", "point", "point", "bulk", "edit"]

    def __init__(self, n, base, token, initiative, kpis, deadline, stats, run_id):
        super().__init__(daemon=True)
        self.n, self.base, self.initiative, self.kpis = n, base, initiative, kpis
        self.deadline, self.stats, self.run_id = deadline, stats, run_id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.counter = 0

    def call(self, op, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, timeout=30, **kwargs)
            status = response.status_code
            self.stats.backends[response.headers.get("X-Backend", "-")] += 1
        except requests.RequestException as exc:
            response, status = None, "error"
            with self.stats.lock:
                self.stats.errors[f"{type(exc).__name__}: {str(exc)[-120:]}"] += 1
        self.stats.record(op, started, time.monotonic(), status)
        return response

    def with_retries(self, op, method, path, **kwargs):
        """Retry while the app or database is unavailable (bounded: 40 tries, about 20 s). Retries come
        every 0.5 s rather than after Retry-After, so the test sees how soon the app is back."""
        for _ in range(40):
            response = self.call(op, method, path, **kwargs)
            if response is not None and response.status_code < 500:
                return response
            time.sleep(0.5)
        return None

    def moment(self) -> str:
        self.counter += 1
        start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=self.n * 100)
        return (start + timedelta(seconds=self.counter)).isoformat().replace("+00:00", "Z")

    def run(self):
        i = 0
        while time.monotonic() < self.deadline:
            op = self.MIX[(i * 7 + self.n) % len(self.MIX)]
            i += 1
            getattr(self, f"do_{op}")()

    def do_list(self):
        path = ["/api/v1/initiatives/?limit=100", "/api/v1/risks/?limit=100", "/api/v1/kpis/?limit=100"][
            self.counter % 3
        ]
        self.counter += 1
        self.call("list", "GET", path)
        self.call("list", "GET", f"/api/v1/kpi-measurements/?kpi={self.kpis[self.counter % len(self.kpis)]}&limit=100")

    def do_detail(self):
        self.call("detail", "GET", f"/api/v1/initiatives/{self.initiative}/")

    def do_dashboard(self):
        self.call("dashboard", "GET", "/api/v1/dashboard/")

    def do_point(self):
        point = {
            "kpi": self.kpis[self.n % len(self.kpis)],
            "observed_at": self.moment(),
            "value": 1.5,
            "source": self.run_id,
        }
        # A 400 "duplicate" on a retry means the first try was stored: both count as acknowledged.
        response = self.with_retries("point", "POST", "/api/v1/kpi-measurements/", json=point)
        stored = response is not None and (
            response.status_code == 201 or (response.status_code == 400 and "already" in response.text.lower())
        )
        if stored:
            with self.stats.lock:
                self.stats.acked_points.add((point["kpi"], point["observed_at"], point["source"]))

    def do_bulk(self):
        kpi = self.kpis[(self.n + 1) % len(self.kpis)]
        points = [{"kpi": kpi, "observed_at": self.moment(), "value": 2.0, "source": self.run_id} for _ in range(50)]
        # Idempotent on (kpi, observed_at, source): a retried batch stores nothing twice.
        response = self.with_retries("bulk", "POST", "/api/v1/kpi-measurements/bulk/", json=points)
        if response is not None and response.status_code == 201:
            with self.stats.lock:
                self.stats.acked_points.update((p["kpi"], p["observed_at"], p["source"]) for p in points)

    def do_edit(self):
        current = self.call("edit", "GET", f"/api/v1/initiatives/{self.initiative}/")
        if current is None or current.status_code != 200:
            return
        response = self.call(
            "edit",
            "PATCH",
            f"/api/v1/initiatives/{self.initiative}/",
            json={"summary": f"Edited under load {self.counter}"},
            headers={"If-Match": current.headers["ETag"]},
        )
        if response is not None and response.status_code == 200:
            with self.stats.lock:
                self.stats.acked_edits[self.initiative] += 1


def percentile(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def lost_writes(stats, run_id, versions_before) -> tuple[int, int]:
    """(acknowledged points missing from the database, initiatives with fewer versions than acknowledged edits)."""
    from initiatives.models import Initiative, KPIMeasurement

    stored = {
        (k, t.astimezone(UTC).isoformat().replace("+00:00", "Z"), s)
        for k, t, s in KPIMeasurement.objects.filter(source=run_id).values_list("kpi_id", "observed_at", "source")
    }
    missing = len(stats.acked_points - stored)
    versions = dict(Initiative.objects.filter(pk__in=list(versions_before)).values_list("pk", "version"))
    short = sum(1 for pk, n in stats.acked_edits.items() if versions[pk] < versions_before[pk] + n)
    return missing, short


def lost_writes_when_reachable(stats, run_id, versions_before) -> tuple[int, int]:
    """The driver's own connection may have been cut by the restart too: retry for 30 s."""
    from django.db import Error, connection

    for _ in range(30):
        try:
            return lost_writes(stats, run_id, versions_before)
        except Error:
            connection.close()
            time.sleep(1)
    return lost_writes(stats, run_id, versions_before)


def answers_again(base, token) -> bool:
    """The app serves a database-backed call again, by itself (gunicorn is not restarted)."""
    for _ in range(60):
        try:
            response = requests.get(
                base + "/api/v1/initiatives/?limit=1", headers={"Authorization": f"Token {token}"}, timeout=5
            )
            if response.status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def target(name: str, value: int, limit: int = 0) -> bool:
    ok = value <= limit
    print(f"load.{name}: {value} (<= {limit}, {'ok' if ok else 'MISSED'})")
    return ok


def report_server_log(servers):
    text = "".join(server.new_log() for server in servers)
    tracebacks = text.count("Traceback (most recent call last)")
    outage = text.count("Database unavailable for")
    print(f"  server log: {tracebacks} tracebacks, {outage} 'database unavailable' warnings (answered 503)")
    if tracebacks:
        first = text.index("Traceback (most recent call last)")
        print("  first traceback:\n    " + "\n    ".join(text[first:].splitlines()[:40]))


def phase(name, duration, base, servers, tokens, initiatives, kpis, restart=None, disturbances=()) -> bool:
    """Run the mix for `duration` seconds; `restart` (a callable) restarts PostgreSQL a little into it;
    each of `disturbances`, (seconds in, callable), is called that far into the phase."""
    from django.db import connection

    from initiatives.models import Initiative

    run_id = f"load-{name}-{int(time.time())}"
    versions_before = dict(Initiative.objects.filter(pk__in=initiatives).values_list("pk", "version"))
    connection.close()
    stats = Stats()
    started = time.monotonic()
    deadline = started + duration
    users = [
        User(i, base, tokens[i], initiatives[i % len(initiatives)], kpis, deadline, stats, run_id)
        for i in range(len(tokens))
    ]
    for user in users:
        user.start()
    for delay, action in disturbances:
        threading.Timer(max(started + delay - time.monotonic(), 0), action).start()
    outage = None
    if restart:
        time.sleep(min(10, duration / 4))
        down_from = time.monotonic()
        restart()
        outage = (down_from, time.monotonic())
    for user in users:
        user.join(timeout=duration + 120)
    elapsed = time.monotonic() - started
    recovered = answers_again(base, tokens[0])
    missing, short = lost_writes_when_reachable(stats, run_id, versions_before)

    lat = sorted(ended - began for _, began, ended, _ in stats.calls)
    statuses = Counter(status for *_, status in stats.calls)
    print(
        f"phase {name}: {len(lat)} requests in {elapsed:.0f} s by {len(users)} users = {len(lat) / elapsed:.1f} req/s"
    )
    print(
        f"  latency p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
        f"p99 {percentile(lat, 99) * 1000:.0f} ms"
    )
    print(
        f"  answers: {dict(sorted(statuses.items(), key=str))}; by app server: {dict(sorted(stats.backends.items()))}"
    )
    failures = [(op, began, ended, status) for op, began, ended, status in stats.calls if failed(status)]
    if failures:
        print(f"  5xx and connection errors by operation: {dict(Counter(f'{op} {s}' for op, _, _, s in failures))}")
        for error, n in stats.errors.items():
            print(f"  {n} x {error}")
    print(
        f"  acknowledged writes: {len(stats.acked_points)} points, {sum(stats.acked_edits.values())} edits; "
        f"lost: {missing} points, {short} initiatives short of edits"
    )
    report_server_log(servers)
    ok = recovered
    if outage is None:
        ok &= target(f"{name}.5xx", len(failures))
    else:
        down_from, up_at = outage
        # A request overlapping the restart may meet the outage; one wholly before or after must not.
        during = [f for f in failures if f[1] < up_at and f[2] > down_from]
        during_503 = sum(1 for f in during if f[3] == 503)
        last_failure = max((f[2] for f in failures), default=None)
        print(
            f"  PostgreSQL restart from +{down_from - started:.1f} s, back after {up_at - down_from:.1f} s; "
            f"during it: {during_503} answers 503, {len(during) - during_503} other 5xx or connection errors"
        )
        if last_failure is not None:
            print(f"  last failed answer {last_failure - up_at:+.1f} s after PostgreSQL was back")
        print(f"  app recovered by itself (no gunicorn restart): {'yes' if recovered else 'NO'}")
        ok &= target(f"{name}.5xx_other_than_503", len(failures) - during_503)
        ok &= target(f"{name}.5xx_outside_outage", len(failures) - len(during))
    ok &= target(f"{name}.lost_writes", missing + short)
    return ok


def prepare_webhooks(receiver):
    """Two subscriptions to the receiver, created after the seeding: the consumers' positions start at
    the newest event, so only the run's events are delivered. Answers (webhooks, the last event id)."""
    from django.contrib.auth import get_user_model

    from integrations.models import StreamPosition, Webhook
    from vpportal.events.models import Event

    Webhook.objects.filter(description__startswith="load ").update(active=False)  # an earlier run's
    user = get_user_model().objects.get(username="load-user-0")
    webhooks = subscribe(receiver, user)
    after_id = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for name in ("webhooks", "notifications"):
        StreamPosition.objects.update_or_create(name=name, defaults={"last_event_id": after_id})
    return webhooks, after_id


def webhook_disturbances(duration, worker, receiver):
    """The worker killed (kill -9) a quarter into the phase and started again 3 s later; the receiver
    answering 500 for 10 s from a little past half of it."""
    marks = []

    def kill():
        worker.kill()
        marks.append(f"Celery worker killed (kill -9, pool included) at {time.strftime('%X')}")
        time.sleep(3)
        worker.start()
        marks.append(f"Celery worker started again at {time.strftime('%X')}")

    def outage():
        began, until = receiver.fail_for(10)
        marks.append(f"webhook receiver answered 500 for {until - began:.0f} s from {time.strftime('%X')}")

    return [(duration / 4, kill), (duration * 0.55, outage)], marks


def report_webhooks(receiver, webhooks, after_id, worker) -> bool:
    took = drained(webhooks, after_id, timeout=180)
    print(
        f"webhooks: {'all deliveries settled' if took >= 0 else 'deliveries still open after 180 s'}"
        f"{f' {took:.0f} s after the load' if took >= 0 else ''}; worker log: {worker_log_summary(worker)}"
    )
    refused = sum(1 for a in receiver.arrivals if a.status == 500)
    print(f"  the receiver answered 500 to {refused} deliveries during its outage (each retried after a backoff)")
    ok = target("webhooks.settled_late", 0 if took >= 0 else 1)
    for r in check_webhooks(receiver, webhooks, after_id):
        lag = (
            f"p50 {percentile(sorted(r.lags), 50):.2f} s, p95 {percentile(sorted(r.lags), 95):.2f} s" if r.lags else "-"
        )
        print(
            f"  subscription {r.name!r}: {r.expected} events of the run, {r.delivered} delivered (distinct "
            f"webhook-id); {r.resent} requests re-sent an id (retries after 500s, jobs handed out again), "
            f"{r.accepted_twice} ids accepted twice; delivery lag {lag}"
        )
        name = f"webhooks.{r.name.removeprefix('load ')}"
        ok &= target(f"{name}.lost", r.lost)
        ok &= target(f"{name}.unexpected", r.unexpected)
        ok &= target(f"{name}.unverified", r.unverified)
        ok &= target(f"{name}.out_of_order", r.out_of_order)
        ok &= target(f"{name}.succeeded_twice_in_log", r.succeeded_rows_twice)
        ok &= target(f"{name}.nothing_to_deliver", 0 if r.expected else 1)
    return ok


def stop_on_signals():
    """SIGTERM and SIGHUP unwind like Ctrl-C, so the private cluster and gunicorn are cleaned up."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--servers", type=int, default=2, help="gunicorn app servers behind HAProxy")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server (4 threads each)")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="pool processes of the Celery worker")
    parser.add_argument("--duration", type=float, default=60, help="Seconds of the steady phase.")
    parser.add_argument("--restart-duration", type=float, default=45, help="Seconds of the restart phase.")
    parser.add_argument("--no-restart", action="store_true", help="Skip the PostgreSQL restart phase.")
    parser.add_argument(
        "--restart-mode", choices=["fast", "immediate"], default="fast", help="How the private cluster stops."
    )
    parser.add_argument(
        "--down-seconds", type=float, default=3, help="How long the private cluster stays down in its restart."
    )
    parser.add_argument("--pg-bindir", help="Where initdb and pg_ctl are (default: the newest Debian install).")
    parser.add_argument(
        "--database-url", help="Run against this PostgreSQL database instead of a private throwaway cluster."
    )
    parser.add_argument(
        "--restart-cmd", help="With --database-url: the command that restarts its server (else no restart phase)."
    )
    args = parser.parse_args(argv)
    if args.restart_cmd and not args.database_url:
        parser.error("--restart-cmd restarts the server behind --database-url; the private cluster restarts itself")
    stop_on_signals()
    shared = scaleout_env()
    ok = True
    with ExitStack() as cleanup:
        if args.database_url:
            url = args.database_url
            restart = (lambda: subprocess.run(shlex.split(args.restart_cmd), check=True)) if args.restart_cmd else None
            how = f"`{args.restart_cmd}`"
        else:
            cluster = cleanup.enter_context(PrivateCluster(free_port(), pg_bindir(args.pg_bindir)))
            url = cluster.url(PRIVATE_DATABASE)
            print(f"Private PostgreSQL cluster on 127.0.0.1:{cluster.port} in {cluster.home} (deleted at the end)")

            def restart():
                cluster.restart(args.restart_mode, args.down_seconds)

            how = f"pg_ctl stop -m {args.restart_mode}, {args.down_seconds:g} s down, pg_ctl start (private cluster)"
        began = time.monotonic()
        os.environ.update(shared)  # this driver subscribes the webhooks with the same settings
        ensure_database(url)
        configure(url)
        tokens, initiatives, kpis = prepare(args.users)
        print(f"Database migrated and seeded in {time.monotonic() - began:.0f} s")
        receiver = Receiver()
        cleanup.callback(receiver.close)
        webhooks, after_id = prepare_webhooks(receiver)
        began = time.monotonic()
        ports = [free_port() for _ in range(args.servers)]
        first = cleanup.enter_context(Server(url, ports[0], args.workers, shared))
        servers = [first] + [
            cleanup.enter_context(Server(url, port, args.workers, shared, static=first.static)) for port in ports[1:]
        ]
        balancer = cleanup.enter_context(Balancer(free_port(), ports))
        base = f"http://127.0.0.1:{balancer.port}"
        print(
            f"{args.servers} gunicorn servers ({args.workers} workers x 4 threads each, production settings) behind "
            f"HAProxy on {base}, collectstatic and start in {time.monotonic() - began:.0f} s"
        )
        worker = cleanup.enter_context(Worker({**first.env}, args.celery_concurrency))
        print(f"Celery worker (-c {args.celery_concurrency}, beat embedded) on {REDIS_URL}; cache on Redis too")
        disturbances, marks = webhook_disturbances(args.duration, worker, receiver)
        ok &= phase("steady", args.duration, base, servers, tokens, initiatives, kpis, disturbances=disturbances)
        for mark in marks:
            print(f"  {mark}")
        if args.no_restart:
            pass
        elif restart is None:
            print("restart phase skipped: give --restart-cmd to restart the server behind --database-url")
        else:
            print(f"restart phase: PostgreSQL restarted with {how}")
            ok &= phase("restart", args.restart_duration, base, servers, tokens, initiatives, kpis, restart)
        ok &= report_webhooks(receiver, webhooks, after_id, worker)
        from django.db import connections

        connections.close_all()  # before the cluster goes away
    print("load test:", "targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("load test interrupted (gunicorn stopped, the private cluster deleted)")
        sys.exit(130)
