"""(f) Webhook delivery throughput of one worker: a subscription's open deliveries sent by
`integrations.delivery.deliver_due` (what the Celery job runs: the payload as the owner sees it,
Standard Webhooks signature, POST, the attempt recorded, the next one chosen in event order) against
a baseline of the same number of bare `requests.post` calls of pre-built bodies to the same loopback
receiver (the HTTP cost alone). Each run is rolled back, so the tables stay as seeded."""

import json
import time

import requests
from django.db import transaction
from django.test import override_settings

from initiatives.models import Initiative
from integrations.delivery import deliver_due
from integrations.models import WebhookDelivery
from integrations.services import webhook_create
from tests.loopback import Loopback, QuietHandler
from vpportal.events.outbox import record_events

from .timing import Result, ms

THROUGHPUT_TARGET = 0.25  # reported: the share of bare-HTTP speed the delivery keeps


class _Sink(QuietHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.body()
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()


def _in_rollback(fn) -> float:
    with transaction.atomic():
        seconds = fn()
        transaction.set_rollback(True)
    return seconds


def webhooks(ctx, scale, client) -> list[Result]:
    events = 50 if scale.name == "ci" else 500
    sink = Loopback(_Sink)
    url = f"{sink.url}/hook"
    user = ctx["user"]
    initiatives = list(Initiative.objects.order_by("pk")[:events])
    body = json.dumps({"type": "initiative.updated", "data": {"title": "x" * 200}})
    headers = {"content-type": "application/json", "webhook-id": "msg_1", "webhook-signature": "v1,x"}

    def deliver() -> float:
        webhook, _ = webhook_create(by=user, data={"url": url, "event_types": ["initiative.*"]})
        rows = [("initiative.updated", i.pk, {"title": i.title}) for i in initiatives]
        created = record_events(Initiative, rows * (events // len(rows) + 1), by=user)[:events]
        WebhookDelivery.objects.bulk_create([WebhookDelivery(webhook=webhook, event=e) for e in created])
        started = time.perf_counter()
        outcome = deliver_due(webhook.pk, limit=events)
        seconds = time.perf_counter() - started
        if outcome.delivered != events:
            raise SystemExit(f"webhook benchmark: {outcome.delivered} of {events} delivered")
        return seconds

    def bare() -> float:
        started = time.perf_counter()
        for _ in range(events):
            response = requests.post(url, data=body.encode(), headers=headers, timeout=10, allow_redirects=False)
            if response.status_code != 204:
                raise SystemExit(f"webhook benchmark: the sink answered {response.status_code}")
        return time.perf_counter() - started

    subject_times, baseline_times = [], []
    try:
        with override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=True, WEBHOOK_REQUIRE_HTTPS=False):
            for i in range(max(3, scale.repeat // 3) + 1):
                subject, baseline = _in_rollback(deliver), bare()
                if i:  # the first pair warms up
                    subject_times.append(subject)
                    baseline_times.append(baseline)
    finally:
        sink.close()
    subject = sorted(subject_times)[len(subject_times) // 2]
    baseline = sorted(baseline_times)[len(baseline_times) // 2]
    return [
        Result(
            "f.webhooks.delivery_throughput_vs_bare_http",
            baseline / subject,
            THROUGHPUT_TARGET,
            higher_is_better=True,
            enforced=False,
            detail=f"{events / subject:,.0f} events/s per worker process ({ms(subject)} for {events}) vs "
            f"{events / baseline:,.0f} bare POSTs/s",
        )
    ]
