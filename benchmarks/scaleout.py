"""The scale-out parts of the load test (benchmarks/load.py): Debian's HAProxy in front of the app
servers, a real Celery worker (`celery -A vpportal worker --beat`, as production runs it) on Redis,
and a webhook receiver on loopback that verifies every delivery with the `standardwebhooks`
package's own `Webhook.verify`, records what arrived and can be told to answer 500 for a while.
After the run, `check_webhooks` compares what the receiver accepted with the events of the run."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from standardwebhooks import Webhook as Verifier

from tests.loopback import Loopback, QuietHandler
from tests.workers import start_worker

REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")


def scaleout_env() -> dict:
    """What the app servers, the worker and this driver share: Redis as broker and cache (a queue and
    a key prefix of this run's own), loopback webhook targets allowed, retries and leases short
    enough to recover inside the run (production: minutes), the same webhook-secret key everywhere."""
    from cryptography.fernet import Fernet

    run = f"vpportal-load-{os.getpid()}"
    return {
        # Every process must open the stored webhook secrets: one key for all (integrations/crypto.py).
        "WEBHOOK_SECRET_KEYS": Fernet.generate_key().decode(),
        "EMAIL_URL": "dummymail://",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_QUEUE": run,
        "CELERY_VISIBILITY_TIMEOUT": "15",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": run,
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "WEBHOOK_BACKOFF_BASE_SECONDS": "1",
        "WEBHOOK_BACKOFF_MAX_SECONDS": "4",
        "WEBHOOK_LEASE_SECONDS": "10",
    }


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        raise SystemExit("The load test needs HAProxy: `make load` installs Debian's (apt-get install haproxy).")
    return found


class Balancer:
    """HAProxy on a loopback port, round robin over the app servers (TCP health checks every second:
    a dead server is taken out; a database outage stays the app's own 503). Each answer says which
    server gave it (`X-Backend`)."""

    def __init__(self, port: int, servers: list[int]):
        self.port, self.servers = port, servers
        self.home = Path(tempfile.mkdtemp(prefix="vp-load-haproxy-"))
        self.proc = None

    def config(self) -> str:
        lines = [
            "global",
            "  maxconn 512",
            "defaults",
            "  mode http",
            "  timeout connect 5s",
            "  timeout client 60s",
            "  timeout http-keep-alive 30s",
            "  timeout server 60s",
            "  option redispatch",
            "  retries 2",
            "frontend portal",
            f"  bind 127.0.0.1:{self.port}",
            "  default_backend app",
            "backend app",
            "  balance roundrobin",
            "  http-response set-header X-Backend %s",
        ]
        lines += [f"  server app{i} 127.0.0.1:{port} check inter 1s" for i, port in enumerate(self.servers, 1)]
        return "\n".join(lines) + "\n"

    def __enter__(self):
        path = self.home / "haproxy.cfg"
        path.write_text(self.config())
        binary = haproxy_binary()
        check = subprocess.run([binary, "-c", "-q", "-f", path], capture_output=True, text=True)
        if check.returncode:
            raise SystemExit(f"HAProxy refused its configuration:\n{check.stdout}{check.stderr}")
        self.log = open(self.home / "haproxy.log", "wb")  # noqa: SIM115  (open for its lifetime)
        self.proc = subprocess.Popen([binary, "-db", "-f", path], stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


class Worker:
    """`celery -A vpportal worker --beat` (beat's sweep re-queues what a lost job left), in its own
    process group: `kill()` is kill -9 on the worker and its pool."""

    def __init__(self, env: dict, concurrency: int = 2):
        self.home = Path(tempfile.mkdtemp(prefix="vp-load-celery-"))
        self.env = {**env, "CELERY_QUEUE_DIR": str(self.home)}
        self.concurrency, self.proc, self.starts = concurrency, None, 0
        self.log_path = self.home / "worker.log"

    def start(self, timeout: float = 90):
        self.starts += 1
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        queue = self.env["CELERY_QUEUE"]
        self.proc = start_worker(
            ["--beat", "-c", str(self.concurrency), "-Q", queue, "-n", f"{queue}-{self.starts}@%h"]
            + ["-s", str(self.home / "beat-schedule")],
            env=self.env,
            log=self.log,
            log_path=self.log_path,
            timeout=timeout,
            failure=SystemExit,
        )
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)
        self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if not self.log.closed:
            self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


@dataclass
class Arrival:
    path: str
    message_id: str
    verified: bool
    status: int
    at: float  # time.time()


class Receiver:
    """A webhook receiver on loopback: `/hook/<name>` verifies with that subscription's secret."""

    def __init__(self):
        self.secrets: dict[str, str] = {}
        self.arrivals: list[Arrival] = []
        self.fail_until = 0.0  # answer 500 until this time.time()
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                secret = receiver.secrets.get(self.path)
                try:
                    Verifier(secret).verify(body, headers)
                    verified = True
                except Exception:
                    verified = False
                now = time.time()
                status = 500 if now < receiver.fail_until else (204 if verified else 400)
                with receiver.lock:
                    receiver.arrivals.append(Arrival(self.path, headers.get("webhook-id", ""), verified, status, now))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.http = Loopback(Handler)
        self.base = self.http.url

    def fail_for(self, seconds: float) -> tuple[float, float]:
        self.fail_until = time.time() + seconds
        return time.time(), self.fail_until

    def close(self):
        self.http.close()


def subscribe(receiver: Receiver, user) -> list:
    """Two subscriptions of different patterns: every event, and the KPI events only."""
    from integrations.services import webhook_create

    webhooks = []
    for name, types in (("all", ["*"]), ("kpis", ["kpi.*"])):
        webhook, secret = webhook_create(
            by=user,
            data={"url": f"{receiver.base}/hook/{name}", "event_types": types, "description": f"load {name}"},
        )
        receiver.secrets[f"/hook/{name}"] = secret
        webhooks.append(webhook)
    return webhooks


def expected_events(webhook, after_id: int) -> list:
    """(id, occurred_at) of the run's events this subscription must get, as the fan-out chooses them."""
    from integrations.dispatch import NOT_FANNED_OUT
    from vpportal.events.models import Event
    from vpportal.events.patterns import matches_any

    rows = (
        Event.objects.filter(pk__gt=after_id)
        .exclude(object_type__in=NOT_FANNED_OUT)
        .visible_to(webhook.reader)
        .order_by("id")
        .values_list("id", "type", "occurred_at")
    )
    return [(pk, at) for pk, kind, at in rows if matches_any(webhook.event_types, kind)]


def drained(webhooks, after_id: int, timeout: float) -> float:
    """Wait until the fan-out has read every event and no delivery is open: the seconds it took."""
    from django.db import connection

    from integrations.models import StreamPosition, WebhookDelivery
    from vpportal.events.models import Event

    began = time.monotonic()
    while time.monotonic() - began < timeout:
        last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        position = StreamPosition.objects.filter(name="webhooks").values_list("last_event_id", flat=True).first()
        open_ = WebhookDelivery.objects.open().filter(webhook__in=webhooks).exists()
        if position is not None and position >= last and not open_:
            return time.monotonic() - began
        connection.close()
        time.sleep(1)
    return -1


@dataclass
class WebhookReport:
    name: str
    expected: int = 0
    delivered: int = 0  # distinct webhook-ids accepted (2xx)
    lost: int = 0
    unexpected: int = 0
    unverified: int = 0
    out_of_order: int = 0
    resent: int = 0  # requests with an id seen before (a retry after a 500, or a job handed out again)
    accepted_twice: int = 0  # ids accepted (2xx) more than once: a receiver that remembers ids drops them
    succeeded_rows_twice: int = 0
    lags: list = field(default_factory=list)


def check_webhooks(receiver: Receiver, webhooks, after_id: int) -> list[WebhookReport]:
    from django.db.models import Count

    from integrations.models import WebhookDelivery

    reports = []
    for webhook in webhooks:
        path = "/hook/" + webhook.description.removeprefix("load ")
        report = WebhookReport(webhook.description)
        expected = expected_events(webhook, after_id)
        report.expected = len(expected)
        occurred = {f"msg_evt{pk}_wh{webhook.pk}": at.timestamp() for pk, at in expected}
        order = [f"msg_evt{pk}_wh{webhook.pk}" for pk, _ in expected]
        arrivals = [a for a in receiver.arrivals if a.path == path]
        report.unverified = sum(not a.verified for a in arrivals)
        accepted, seen, frontier = Counter(), set(), 0
        for arrival in arrivals:
            if arrival.message_id in seen:
                report.resent += 1
            seen.add(arrival.message_id)
            if arrival.message_id not in occurred:
                report.unexpected += 1
                continue
            # In order: nothing is sent while an earlier event of the subscription is not accepted.
            if arrival.message_id != order[frontier] and arrival.message_id not in accepted:
                report.out_of_order += 1
            if 200 <= arrival.status < 300:
                if not accepted[arrival.message_id]:
                    report.lags.append(arrival.at - occurred[arrival.message_id])
                accepted[arrival.message_id] += 1
                while frontier < len(order) - 1 and accepted[order[frontier]]:
                    frontier += 1
        report.delivered = len(accepted)
        report.lost = sum(1 for m in order if not accepted[m])
        report.accepted_twice = sum(1 for n in accepted.values() if n > 1)
        report.succeeded_rows_twice = (
            WebhookDelivery.objects.filter(webhook=webhook, status="succeeded")
            .values("event")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        reports.append(report)
    return reports


def worker_log_summary(worker: Worker) -> str:
    text = worker.log_path.read_text(errors="replace") if worker.log_path.exists() else ""
    counts = defaultdict(int)
    for line in text.splitlines():
        if "succeeded in" in line:
            counts["jobs succeeded"] += 1
        elif "Retry in" in line:
            counts["jobs retried (subscription busy)"] += 1
        elif "raised unexpected" in line:
            counts["jobs failed"] += 1
    return ", ".join(f"{n} {what}" for what, n in counts.items()) or "no job lines"
