"""Background jobs of the integrations; every one idempotent and acknowledged late."""

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from .delivery import deliver_due
from .dispatch import fan_out_notifications, fan_out_webhooks
from .models import Webhook, WebhookDelivery

SOON = 300  # seconds: a wake-up further away is left to the sweep
logger = logging.getLogger(__name__)


def events_were_committed(sender, ids, **kwargs):
    """After a commit that wrote events: queue their fan-out (webhooks, notifications)."""
    try:
        fan_out_task.delay()
    except Exception:  # the broker is down: the periodic sweep catches up
        logger.warning("Could not queue the event fan-out; the sweep will.", exc_info=True)


@shared_task(acks_late=True)
def fan_out_task() -> int:
    touched = fan_out_webhooks()
    for webhook_id in touched:
        deliver_webhook_task.delay(webhook_id)
    immediate = fan_out_notifications()
    if immediate:
        email_notifications_task.delay(immediate)
    return len(touched)


@shared_task(acks_late=True)
def email_notifications_task(ids: list[int]) -> int:
    from .emails import send_immediate

    return send_immediate(ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook_task(self, webhook_id: int) -> int:
    outcome = deliver_due(webhook_id)
    if outcome.busy_for is not None:
        # Another worker delivers for this subscription (or died holding it): look again later.
        raise self.retry(countdown=min(outcome.busy_for, SOON))
    if outcome.wake_in is not None and outcome.wake_in <= SOON:
        deliver_webhook_task.apply_async((webhook_id,), countdown=outcome.wake_in)
    return outcome.delivered


@shared_task(acks_late=True)
def sweep_task() -> int:
    """Every 30 s (beat): the fan-outs, then a delivery job for each subscription with a due delivery."""
    fan_out_webhooks()
    immediate = fan_out_notifications()
    if immediate:
        email_notifications_task.delay(immediate)
    now = timezone.now()
    due = (
        WebhookDelivery.objects.open()
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), webhook__active=True)
        .values_list("webhook_id", flat=True)
        .distinct()
    )
    ids = set(Webhook.objects.filter(pk__in=due).values_list("pk", flat=True))
    for webhook_id in ids:
        deliver_webhook_task.delay(webhook_id)
    return len(ids)
