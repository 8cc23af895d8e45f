"""Webhooks in-process: subscriptions through the API (secret once, rotation, ping, redelivery),
Standard Webhooks signatures checked by the package's own verify on a real loopback receiver,
retries with backoff and Retry-After, give-up and disable, ordering per subscription, SSRF."""

import socket
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from integrations import delivery, targets
from integrations.delivery import backoff, deliver_due
from integrations.dispatch import fan_out_webhooks
from integrations.models import Webhook, WebhookDelivery
from tests.conftest import api_client
from tests.factories.risks import RiskFactory
from vpportal.events.models import Event
from vpportal.events.outbox import record_event

pytestmark = pytest.mark.django_db


def subscribe(user, receiver, types=("risk.*",)):
    response = api_client(user).post(
        "/api/v1/webhooks/", {"url": receiver.url, "event_types": list(types), "description": "Test"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    receiver.secrets.append(body["secret"])
    return Webhook.objects.get(pk=body["id"]), body


def deliver(webhook):
    fan_out_webhooks()
    return deliver_due(webhook.pk)


def make_due():
    """The pending retries fall due now: the tests' backoff is tiny but not zero, and a fast machine
    runs the next step inside it (then the retry is, correctly, not sent yet)."""
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_secret_is_shown_once_and_every_delivery_verifies(governance, receiver, private_targets):
    webhook, body = subscribe(governance, receiver)
    assert body["secret"].startswith("whsec_")
    client = api_client(governance)
    assert "secret" not in client.get(f"/api/v1/webhooks/{webhook.pk}/").json()
    assert "secret" not in str(client.get("/api/v1/webhooks/").json())
    risks = RiskFactory.create_batch(2)
    events = [record_event(r, "risk.updated", by=governance) for r in risks]
    record_event(risks[0], "risk.accepted", by=governance)
    assert deliver(webhook).delivered == 3
    assert len(receiver.received) == 3 and all(r["verified"] for r in receiver.received)
    first = receiver.received[0]["payload"]
    assert first["type"] == "risk.updated"
    assert first["data"]["id"] == events[0].pk and first["data"]["object_id"] == risks[0].pk
    risk_events = Event.objects.filter(object_type="governance.risk").order_by("id")
    assert receiver.verified_ids == [f"msg_evt{e.pk}_wh{webhook.pk}" for e in risk_events]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_only_matching_types_and_no_event_twice(governance, receiver, private_targets):
    webhook, _ = subscribe(governance, receiver, types=["*.accepted"])
    risk = RiskFactory()
    record_event(risk, "risk.updated", by=governance)
    accepted = record_event(risk, "risk.accepted", by=governance)
    deliver(webhook)
    deliver(webhook)  # a second fan-out and run change nothing
    assert [r["payload"]["data"]["id"] for r in receiver.received] == [accepted.pk]


def test_a_job_that_meets_a_lease_released_since_looks_again_at_once(
    governance, receiver, private_targets, monkeypatch
):
    """Another worker holds the subscription when this job asks for it and releases it before this
    job reads who holds it: the holder may have looked for open deliveries before this job's was
    stored, so this job must try again at once instead of ending with nothing sent (it did, and the
    delivery waited for the next sweep)."""
    webhook, _ = subscribe(governance, receiver)
    record_event(RiskFactory(), "risk.updated", by=governance)
    fan_out_webhooks()
    take = delivery._take_lease

    def held_then_released(webhook_id):
        Webhook.objects.filter(pk=webhook_id).update(lease_until=timezone.now() + timedelta(minutes=1))
        taken = take(webhook_id)  # refused: the other worker holds it
        delivery._release_lease(webhook_id)  # ... and finishes right after
        return taken

    monkeypatch.setattr(delivery, "_take_lease", held_then_released)
    outcome = deliver_due(webhook.pk)
    assert outcome.delivered == 0 and outcome.busy_for == 0  # the task retries with no delay
    monkeypatch.undo()
    assert deliver_due(webhook.pk).delivered == 1
    # A lease still held: try again once it expires.
    Webhook.objects.filter(pk=webhook.pk).update(lease_until=timezone.now() + timedelta(seconds=30))
    assert 29 < deliver_due(webhook.pk).busy_for <= 31
    # The subscription gone: nothing to try again.
    assert deliver_due(webhook.pk + 1000).busy_for is None


def test_failures_are_retried_in_order_and_retry_after_is_honoured(governance, receiver, private_targets, settings):
    webhook, _ = subscribe(governance, receiver)
    risks = RiskFactory.create_batch(2)
    first, second = (record_event(r, "risk.updated", by=governance) for r in risks)
    receiver.script = [503, (429, {"Retry-After": "120"})]
    outcome = deliver(webhook)
    assert outcome.delivered == 0 and len(receiver.received) == 1  # the second event waits behind the first
    make_due()
    assert deliver_due(webhook.pk).delivered == 0  # attempt 2: 429
    retry = WebhookDelivery.objects.get(event=first, attempt=3)
    assert retry.status == "pending"
    assert retry.next_attempt_at >= timezone.now() + timedelta(seconds=100)  # Retry-After: 120
    assert deliver_due(webhook.pk).delivered == 0  # not due yet: nothing sent, the second still waits
    assert len(receiver.received) == 2
    WebhookDelivery.objects.filter(pk=retry.pk).update(next_attempt_at=timezone.now())
    assert deliver_due(webhook.pk).delivered == 2
    ids = [r["id"] for r in receiver.received]
    assert ids == [f"msg_evt{first.pk}_wh{webhook.pk}"] * 3 + [f"msg_evt{second.pk}_wh{webhook.pk}"]
    log = list(WebhookDelivery.objects.filter(event=first).order_by("attempt").values_list("status", "response_status"))
    assert log == [("failed", 503), ("failed", 429), ("succeeded", 200)]


def test_the_delivery_log_keeps_the_answer_up_to_the_cap(governance, receiver, private_targets, settings):
    settings.WEBHOOK_RESPONSE_CAP_BYTES = 7  # the receiver answers "ok" ten times
    webhook, _ = subscribe(governance, receiver)
    record_event(RiskFactory(), "risk.updated", by=governance)
    deliver(webhook)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.response_status, delivery.response_excerpt) == ("succeeded", 200, "okokoko")


def test_backoff_grows_with_jitter_up_to_the_cap(settings):
    settings.WEBHOOK_BACKOFF_BASE_SECONDS, settings.WEBHOOK_BACKOFF_MAX_SECONDS = 10, 3600
    for attempt in range(1, 15):
        ceiling = min(10 * 2 ** (attempt - 1), 3600)
        assert ceiling / 2 <= backoff(attempt) <= ceiling
    assert len({backoff(5) for _ in range(20)}) > 1  # jitter
    assert backoff(1, retry_after=300) == 300


def test_a_day_of_failures_gives_up_disables_and_tells_the_owner(governance, receiver, private_targets, settings):
    webhook, _ = subscribe(governance, receiver)
    event = record_event(RiskFactory(), "risk.updated", by=governance)
    receiver.script = [500, 500]
    deliver(webhook)
    WebhookDelivery.objects.filter(event=event).update(created_at=timezone.now() - timedelta(hours=27))
    make_due()
    deliver_due(webhook.pk)
    webhook.refresh_from_db()
    assert webhook.active is False and "500" in webhook.disabled_reason
    assert list(WebhookDelivery.objects.filter(event=event).order_by("attempt").values_list("status", flat=True)) == [
        "failed",
        "given_up",
    ]
    assert Event.objects.filter(type="webhook.disabled", object_id=webhook.pk).exists()
    record_event(RiskFactory(), "risk.updated", by=governance)
    deliver(webhook)
    assert len(receiver.received) == 2  # nothing more while disabled


def test_connection_errors_and_redirects_are_failures_never_followed(governance, receiver, private_targets):
    webhook, _ = subscribe(governance, receiver)
    record_event(RiskFactory(), "risk.updated", by=governance)
    receiver.script = [(302, {"Location": receiver.url + "/elsewhere"})]
    deliver(webhook)
    assert len(receiver.received) == 1  # the redirect was not followed
    assert WebhookDelivery.objects.get(attempt=1).response_status == 302
    Webhook.objects.filter(pk=webhook.pk).update(url="http://127.0.0.1:9/closed")
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=None)
    deliver_due(webhook.pk)
    failed = WebhookDelivery.objects.get(attempt=2)
    assert failed.status == "failed" and failed.response_status is None and "Connection failed" in failed.error


def test_a_receiver_that_does_not_answer_within_the_timeout_is_a_failure_retried(
    governance, receiver, private_targets, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    webhook, _ = subscribe(governance, receiver)
    event = record_event(RiskFactory(), "risk.updated", by=governance)
    answer = threading.Event()
    receiver.script = [lambda: answer.wait(60) and 200]  # holds the first request until the attempt gave up
    try:
        assert deliver(webhook).delivered == 0
    finally:
        answer.set()
    first = WebhookDelivery.objects.get(event=event, attempt=1)
    assert (first.status, first.response_status, first.error) == ("failed", None, "No answer within 0.5 s.")
    make_due()
    assert deliver_due(webhook.pk).delivered == 1
    assert [r["id"] for r in receiver.received] == [first.message_id] * 2


def test_the_target_is_resolved_again_before_every_attempt(governance, settings, monkeypatch):
    """A host that resolved to a public address when subscribed and to a private one at delivery
    (DNS rebinding) is refused then: nothing is sent, the attempt fails and is retried later."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    resolves_to = ["93.184.215.14"]  # a public address

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (resolves_to[0], port))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", getaddrinfo)
    created = api_client(governance).post(
        "/api/v1/webhooks/", {"url": "http://hooks.example.com/in", "event_types": ["risk.*"]}, format="json"
    )
    assert created.status_code == 201, created.content
    event = record_event(RiskFactory(), "risk.updated", by=governance)
    resolves_to[0] = "127.0.0.1"
    monkeypatch.setattr(delivery.requests, "post", lambda *a, **k: pytest.fail("a refused target was sent to"))
    fan_out_webhooks()
    assert deliver_due(created.json()["id"]).delivered == 0
    first = WebhookDelivery.objects.get(event=event, attempt=1)
    assert (first.status, first.response_status) == ("failed", None)
    assert "127.0.0.1" in first.error and "refused" in first.error
    assert WebhookDelivery.objects.get(event=event, attempt=2).status == "pending"


def test_rotation_signs_with_both_secrets_during_the_overlap(governance, receiver, private_targets):
    webhook, body = subscribe(governance, receiver)
    old_secret = body["secret"]
    rotated = api_client(governance).post(f"/api/v1/webhooks/{webhook.pk}/rotate-secret/")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    record_event(RiskFactory(), "risk.updated", by=governance)
    deliver(webhook)
    request = receiver.received[0]
    assert len(request["headers"]["webhook-signature"].split()) == 2
    for secret in (old_secret, new_secret):  # a receiver on either secret accepts it
        assert StandardWebhook(secret).verify(request["body"], request["headers"])["type"] == "risk.updated"
    Webhook.objects.filter(pk=webhook.pk).update(previous_secret_expires_at=timezone.now())
    record_event(RiskFactory(), "risk.updated", by=governance)
    deliver(webhook)
    after = receiver.received[1]
    assert len(after["headers"]["webhook-signature"].split()) == 1  # the overlap is over
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(old_secret).verify(after["body"], after["headers"])


def test_ping_and_redeliver(governance, receiver, private_targets):
    webhook, _ = subscribe(governance, receiver)
    client = api_client(governance)
    ping = client.post(f"/api/v1/webhooks/{webhook.pk}/test/")
    assert ping.status_code == 202
    deliver(webhook)
    assert receiver.received[0]["payload"]["type"] == "webhook.ping" and receiver.received[0]["verified"]
    delivery_id = ping.json()["id"]
    again = client.post(f"/api/v1/webhook-deliveries/{delivery_id}/redeliver/")
    assert again.status_code == 202 and again.json()["attempt"] == 2
    deliver_due(webhook.pk)
    assert [r["id"] for r in receiver.received] == [receiver.received[0]["id"]] * 2  # the same webhook-id
    log = client.get(f"/api/v1/webhook-deliveries/?webhook={webhook.pk}").json()
    assert [row["attempt"] for row in log["results"]] == [2, 1]


def test_private_and_loopback_targets_are_refused_unless_allowed(governance, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client = api_client(governance)
    for url in (
        "http://127.0.0.1/x",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "http://localhost/x",
    ):
        response = client.post("/api/v1/webhooks/", {"url": url, "event_types": ["*"]}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("role", ["leader", "contributor", "auditor"])
def test_only_executives_and_governance_manage_webhooks(personas, role, receiver, private_targets):
    client = api_client(personas[role])
    assert (
        client.post("/api/v1/webhooks/", {"url": receiver.url, "event_types": ["*"]}, format="json").status_code == 403
    )
    assert client.get("/api/v1/webhooks/").status_code == 403


def test_bad_patterns_answer_400(governance, receiver, private_targets):
    response = api_client(governance).post(
        "/api/v1/webhooks/", {"url": receiver.url, "event_types": ["risk.$"]}, format="json"
    )
    assert response.status_code == 400 and "event_types" in response.json()
