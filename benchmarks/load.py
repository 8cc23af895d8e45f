"""Load test: gunicorn with the production settings on PostgreSQL, driven over loopback by this
second process (threads, one API token each) for a bounded time.

    python benchmarks/load.py [--users 6] [--duration 60] [--restart-duration 45] [--no-restart]

Phase "steady": reads (lists, details, dashboard) and writes (single KPI points, bulk posts of 50
points, initiative edits with If-Match) by several users; zero 5xx allowed. Phase "restart": the
same mix while PostgreSQL is restarted (`--restart-cmd`); requests may fail while it is down (the
driver retries them: bulk posts are idempotent, single points are re-checked), the app must recover
by itself. Both phases: every acknowledged write must be in the database afterwards.
Reports throughput, p50/p95/p99 and answers by status; exits 1 when a target is missed.
"""

import argparse
import os
import secrets
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import ROOT, configure, database_url, ensure_database  # noqa: E402

BIN = Path(sys.executable).parent


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
    """gunicorn with production settings: DEBUG off, hashed static files, SECRET_KEY set."""

    def __init__(self, url: str, port: int, workers: int):
        self.static = tempfile.mkdtemp(prefix="vp-load-static-")
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STATIC_ROOT": self.static,
            "STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback; behind the load balancer TLS is on.
            "SECURE_COOKIES": "0",
            # The load users make thousands of calls a minute; production keeps its default rate.
            "API_THROTTLE_USER": "100000000/hour",
        }
        self.env.pop("TESTING", None)
        self.port, self.workers, self.proc = port, workers, None

    def start(self):
        subprocess.run(
            [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
        )
        self.proc = subprocess.Popen(
            [BIN / "gunicorn", "vpportal.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
            + ["--threads", "4", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health/", timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /health/ within 20 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.static, ignore_errors=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.statuses, self.errors = [], Counter(), Counter()
        self.acked_points: set = set()  # (kpi, observed_at iso, source)
        self.acked_edits = Counter()  # initiative id -> acknowledged PATCHes

    def record(self, op: str, seconds: float, status):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            if status == "error" or (isinstance(status, int) and status >= 500):
                self.errors[f"{op} {status}"] += 1


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
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=30, **kwargs)
            status = response.status_code
        except requests.RequestException:
            response, status = None, "error"
        self.stats.record(op, time.perf_counter() - started, status)
        return response

    def with_retries(self, op, method, path, **kwargs):
        """Retry while the app or database is unavailable (bounded: 40 tries, about 20 s)."""
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


def phase(name, args, base, tokens, initiatives, kpis, restart_cmd=None) -> bool:
    from django.db import connection

    from initiatives.models import Initiative

    run_id = f"load-{name}-{int(time.time())}"
    versions_before = dict(Initiative.objects.filter(pk__in=initiatives).values_list("pk", "version"))
    connection.close()
    stats = Stats()
    duration = args.duration if restart_cmd is None else args.restart_duration
    deadline = time.monotonic() + duration
    users = [
        User(i, base, tokens[i], initiatives[i % len(initiatives)], kpis, deadline, stats, run_id)
        for i in range(len(tokens))
    ]
    started = time.monotonic()
    for user in users:
        user.start()
    restarted = None
    if restart_cmd:
        time.sleep(min(10, duration / 4))
        print(f"  restarting PostgreSQL: {' '.join(restart_cmd)}")
        began = time.monotonic()
        subprocess.run(restart_cmd, check=True)
        restarted = time.monotonic() - began
    for user in users:
        user.join(timeout=duration + 120)
    elapsed = time.monotonic() - started
    # Recovery: the app answers again by itself (no restart of gunicorn).
    recovered = False
    for _ in range(60):
        try:
            ok = requests.get(
                base + "/api/v1/initiatives/?limit=1", headers={"Authorization": f"Token {tokens[0]}"}, timeout=5
            )
            if ok.status_code == 200:
                recovered = True
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    for _ in range(30):  # the driver's own connection may have been cut by the restart too
        try:
            missing, short = lost_writes(stats, run_id, versions_before)
            break
        except Exception:  # noqa: BLE001  (OperationalError while PostgreSQL comes back)
            connection.close()
            time.sleep(1)
    lat = sorted(stats.latencies)
    total = len(lat)
    fives = sum(n for s, n in stats.statuses.items() if s == "error" or (isinstance(s, int) and s >= 500))
    print(f"phase {name}: {total} requests in {elapsed:.0f} s by {len(users)} users = {total / elapsed:.1f} req/s")
    print(
        f"  latency p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms"
    )
    print(f"  answers: {dict(sorted(stats.statuses.items(), key=str))}")
    if stats.errors:
        print(f"  5xx and connection errors: {dict(stats.errors)}")
    if restarted is not None:
        print(f"  PostgreSQL restart took {restarted:.1f} s; app recovered by itself: {'yes' if recovered else 'NO'}")
    print(
        f"  acknowledged writes: {len(stats.acked_points)} points, {sum(stats.acked_edits.values())} edits; lost: {missing} points, {short} initiatives short of edits"
    )
    ok = missing == 0 and short == 0 and recovered
    if restart_cmd is None:
        ok = ok and fives == 0
        print(f"load.{name}.5xx: {fives} (<= 0, {'ok' if fives == 0 else 'MISSED'})")
    print(f"load.{name}.lost_writes: {missing + short} (<= 0, {'ok' if missing + short == 0 else 'MISSED'})")
    return ok


def default_restart_cmd() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else "15"
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (4 threads each)")
    parser.add_argument("--duration", type=float, default=60, help="Seconds of the steady phase.")
    parser.add_argument("--restart-duration", type=float, default=45, help="Seconds of the restart phase.")
    parser.add_argument("--no-restart", action="store_true", help="Skip the PostgreSQL restart phase.")
    parser.add_argument("--restart-cmd", help="Command restarting PostgreSQL (default: pg_ctlcluster ... restart).")
    args = parser.parse_args(argv)
    url = database_url()
    ensure_database(url)
    configure(url)
    tokens, initiatives, kpis = prepare(args.users)
    port = free_port()
    server = Server(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    ok = True
    try:
        server.start()
        print(f"gunicorn ({args.workers} workers x 4 threads, production settings) on {base}")
        ok &= phase("steady", args, base, tokens, initiatives, kpis)
        if not args.no_restart:
            cmd = args.restart_cmd.split() if args.restart_cmd else default_restart_cmd()
            ok &= phase("restart", args, base, tokens, initiatives, kpis, restart_cmd=cmd)
    finally:
        server.stop()
    print("load test:", "targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
