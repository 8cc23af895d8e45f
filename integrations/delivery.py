"""Delivering a subscription's events, one at a time and in event order (Standard Webhooks).

One worker at a time works for a subscription (a lease on the row, renewed after each attempt): it
sends the oldest open delivery, and only when that one succeeded (or was given up) the next one, so
a receiver gets a subscription's events in order. A failed attempt is followed by a new pending
attempt after an exponential backoff with jitter (honouring `Retry-After`); after
WEBHOOK_RETRY_HOURS of failures the delivery is given up and the subscription disabled.

Every attempt of one event carries the same `webhook-id` and the same body, so a receiver that
remembers the ids it processed sees each event once, also when a worker died after sending and the
broker handed the job out again (the tasks are `acks_late`).
"""

import json
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook as Signer

from vpportal.events.api import ChangeEventSerializer
from vpportal.events.querysets import mask_private

from .models import DeliveryStatus, Webhook, WebhookDelivery
from .targets import check_target

USER_AGENT = "VP-Portal-Webhooks/1"


@dataclass
class Outcome:
    delivered: int = 0
    busy_for: float | None = None  # another worker holds the subscription: try again in ...
    wake_in: float | None = None  # the next attempt is due in ... seconds


def payload(delivery: WebhookDelivery) -> str:
    """The body: the event as the feed shows it to the subscription's owner (private fields only if
    the owner may read them), in the Standard Webhooks envelope. The same bytes on every attempt."""
    event = delivery.event
    mask_private([event], delivery.webhook.reader)
    body = {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": ChangeEventSerializer(event).data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str)


def signature(webhook: Webhook, message_id: str, moment, body: str) -> str:
    """`v1,<sig>`, and during a secret rotation's overlap a second one with the previous secret."""
    signatures = [Signer(webhook.secret).sign(message_id, moment, body)]
    if webhook.previous_secret and webhook.previous_secret_expires_at and webhook.previous_secret_expires_at > moment:
        signatures.append(Signer(webhook.previous_secret).sign(message_id, moment, body))
    return " ".join(signatures)


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: doubling from the base, capped, with full jitter on the
    upper half (so many failing subscriptions do not retry in step); at least `Retry-After`."""
    ceiling = min(settings.WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0)


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(float(value), 0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 0)
    except (TypeError, ValueError):
        return None


def _read_capped(response) -> str:
    cap = settings.WEBHOOK_RESPONSE_CAP_BYTES
    try:
        data = response.raw.read(cap + 1, decode_content=True) or b""
    except Exception:  # a body that breaks off: the status is what counts
        data = b""
    return data[:cap].decode("utf-8", "replace")


def send(delivery: WebhookDelivery) -> None:
    """One attempt: POST, record the answer on the row (its status stays pending until decided)."""
    webhook = delivery.webhook
    body = payload(delivery)
    now = timezone.now()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature(webhook, delivery.message_id, now, body),
    }
    started = time.monotonic()
    response, error = None, ""
    try:
        check_target(webhook.url)
        response = requests.post(
            webhook.url,
            data=body.encode(),
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,  # a redirect is an answer, never followed (SSRF)
            stream=True,
        )
        delivery.response_excerpt = _read_capped(response)
        response.close()
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    except requests.Timeout:
        error = f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} s."
    except requests.RequestException as exc:
        error = f"Connection failed: {type(exc).__name__}"
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.attempted_at = now
    delivery.response_status = response.status_code if response is not None else None
    delivery.error = error[:300]
    succeeded = response is not None and 200 <= response.status_code < 300
    _decide(delivery, succeeded, _retry_after(response))


@transaction.atomic
def _decide(delivery: WebhookDelivery, succeeded: bool, retry_after: float | None) -> None:
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.save()
        return
    first = (
        WebhookDelivery.objects.filter(webhook_id=delivery.webhook_id, event_id=delivery.event_id)
        .order_by("attempt")
        .values_list("created_at", flat=True)
        .first()
    )
    window = timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    if delivery.attempted_at - first >= window:
        from .services import webhook_disable

        delivery.status = DeliveryStatus.GIVEN_UP
        delivery.save()
        webhook_disable(
            delivery.webhook,
            reason=f"Deliveries failed for {settings.WEBHOOK_RETRY_HOURS:g} hours (last: "
            f"{delivery.response_status or delivery.error}).",
        )
        return
    delivery.status = DeliveryStatus.FAILED
    delivery.save()
    WebhookDelivery.objects.get_or_create(
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        attempt=delivery.attempt + 1,
        defaults={"next_attempt_at": delivery.attempted_at + timedelta(seconds=backoff(delivery.attempt, retry_after))},
    )


def _take_lease(webhook_id: int) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    until = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    return bool(Webhook.objects.filter(free, pk=webhook_id).update(lease_until=until))


def _renew_lease(webhook_id: int) -> None:
    until = timezone.now() + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    Webhook.objects.filter(pk=webhook_id).update(lease_until=until)


def _release_lease(webhook_id: int) -> None:
    Webhook.objects.filter(pk=webhook_id).update(lease_until=None)


def next_open(webhook_id: int):
    return (
        WebhookDelivery.objects.open()
        .filter(webhook_id=webhook_id)
        .select_related("event", "webhook__owner__user", "webhook__created_by")
        .order_by("event_id", "attempt")
        .first()
    )


def deliver_due(webhook_id: int, limit: int = 500) -> Outcome:
    """Send the subscription's open deliveries in event order until one is not due yet or fails."""
    outcome = Outcome()
    if not _take_lease(webhook_id):
        leases = list(Webhook.objects.filter(pk=webhook_id).values_list("lease_until", flat=True))
        if leases:  # else the subscription is gone: nothing to deliver
            # Held: try again once it expires. Released since (the holder finished, perhaps before
            # this task's delivery was stored, and no one else will deliver it until the sweep): at once.
            lease = leases[0]
            outcome.busy_for = 0 if lease is None else max((lease - timezone.now()).total_seconds(), 0) + 1
        return outcome
    try:
        while outcome.delivered < limit:
            delivery = next_open(webhook_id)
            if delivery is None or not delivery.webhook.active:
                break
            now = timezone.now()
            if delivery.next_attempt_at and delivery.next_attempt_at > now:
                outcome.wake_in = (delivery.next_attempt_at - now).total_seconds()
                break
            send(delivery)
            _renew_lease(webhook_id)
            if delivery.status != DeliveryStatus.SUCCEEDED:
                if delivery.status == DeliveryStatus.FAILED:
                    outcome.wake_in = backoff_due(webhook_id)
                break
            outcome.delivered += 1
    finally:
        _release_lease(webhook_id)
    return outcome


def backoff_due(webhook_id: int) -> float | None:
    due = WebhookDelivery.objects.open().filter(webhook_id=webhook_id).order_by("event_id", "attempt").first()
    if due is None or due.next_attempt_at is None:
        return None
    return max((due.next_attempt_at - timezone.now()).total_seconds(), 0)
