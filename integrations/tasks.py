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


# --- the model registry ---------------------------------------------------------------------------
@shared_task(acks_late=True)
def model_sync_task() -> int:
    """Every MODEL_SYNC_MINUTES (beat): a sync of each active source, and the write-back of every
    decision the registry has not confirmed yet (one whose task was lost with the broker)."""
    from .models import AISystemVersion, ModelSource

    sources = list(ModelSource.objects.active().values_list("pk", flat=True))
    for source_id in sources:
        sync_source_task.delay(source_id)
    for version_id in AISystemVersion.objects.awaiting_writeback().values_list("pk", flat=True).iterator():
        writeback_task.delay(version_id)
    return len(sources)


@shared_task(acks_late=True)
def sync_source_task(source_id: int) -> dict | None:
    from .mlflow_client import RegistryError
    from .models import ModelSource
    from .registry import sync_source

    source = ModelSource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return None
    try:
        return sync_source(source)
    except RegistryError as exc:  # kept on the source's page; the next scheduled sync starts over
        logger.warning("Model source %s: %s", source, exc.message)
        return {"ok": False, "error": exc.message}


@shared_task(bind=True, acks_late=True, max_retries=None)
def writeback_task(self, version_id: int) -> bool:
    """Write a decision back to MLflow; retried with growing delays until the registry has it."""
    from django.conf import settings

    from .registry import write_back

    if write_back(version_id):
        return True
    delay = min(2 ** min(self.request.retries, 20) * 5, settings.MLFLOW_WRITEBACK_MAX_DELAY_SECONDS)
    raise self.retry(countdown=delay)
