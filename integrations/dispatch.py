"""The consumers of the event stream: after each commit that recorded events, the fan-out job turns
new events into webhook deliveries (and notifications); a periodic sweep does the same in case the
broker could not be reached at that moment. Positions in the stream (StreamPosition) make the
fan-out exactly-once: ids are handed out in commit order, so the events up to a position are final."""

import logging

from django.db import transaction

from vpportal.events.models import Event
from vpportal.events.patterns import matches_any

from .models import StreamPosition, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)
BATCH = 500
NOT_FANNED_OUT = ("integrations.webhook",)  # subscriptions' own changes (a ping is addressed)


def events_were_committed(sender, ids, **kwargs):
    from .tasks import fan_out_task

    try:
        fan_out_task.delay()
    except Exception:  # the broker is down: the periodic sweep catches up
        logger.warning("Could not queue the event fan-out; the sweep will.", exc_info=True)


def fan_out_webhooks() -> set[int]:
    """Deliveries (attempt 1) for every new event and every active subscription matching its type
    whose owner may see the record; answers the subscriptions that got some."""
    touched: set[int] = set()
    while True:
        with transaction.atomic():
            StreamPosition.objects.get_or_create(name="webhooks")
            position = StreamPosition.objects.select_for_update().get(name="webhooks")
            events = list(Event.objects.filter(pk__gt=position.last_event_id).order_by("id")[:BATCH])
            if not events:
                return touched
            rows = []
            for webhook in Webhook.objects.filter(active=True).select_related("owner__user", "created_by"):
                candidates = [
                    e
                    for e in events
                    if e.object_type not in NOT_FANNED_OUT and matches_any(webhook.event_types, e.type)
                ]
                if not candidates:
                    continue
                reader = webhook.reader
                visible = set(
                    Event.objects.filter(pk__in=[e.pk for e in candidates])
                    .visible_to(reader)
                    .values_list("pk", flat=True)
                )
                rows += [WebhookDelivery(webhook=webhook, event=e) for e in candidates if e.pk in visible]
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            touched |= {row.webhook_id for row in rows}
            position.last_event_id = events[-1].pk
            position.save(update_fields=["last_event_id"])
