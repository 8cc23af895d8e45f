"""The consumers of the event stream: after each commit that recorded events, the fan-out job turns
new events into webhook deliveries (and notifications); a periodic sweep does the same in case the
broker could not be reached at that moment. Positions in the stream (StreamPosition) make the
fan-out exactly-once: ids are handed out in commit order, so the events up to a position are final."""

from contextlib import contextmanager

from django.apps import apps
from django.db import transaction

from vpportal.events.models import Event
from vpportal.events.patterns import matches_any
from vpportal.events.querysets import event_visible_to
from vpportal.people.models import Person

from .models import EmailChoice, Notification, StreamPosition, Webhook, WebhookDelivery
from .notify import actor_person_id, recipients

BATCH = 500
NOT_FANNED_OUT = ("integrations.webhook",)  # subscriptions' own changes (a ping is addressed)


@contextmanager
def _next_batch(stream: str):
    """In one transaction, with the stream's position locked: the next events after it (at most
    BATCH, in id order; empty when there are none); the position moves past them when the block
    ends without an error."""
    with transaction.atomic():
        StreamPosition.objects.get_or_create(name=stream)
        position = StreamPosition.objects.select_for_update().get(name=stream)
        events = list(Event.objects.filter(pk__gt=position.last_event_id).order_by("id")[:BATCH])
        yield events
        if events:
            position.last_event_id = events[-1].pk
            position.save(update_fields=["last_event_id"])


def fan_out_webhooks() -> set[int]:
    """Deliveries (attempt 1) for every new event and every active subscription matching its type
    whose owner may see the record; answers the subscriptions that got some."""
    touched: set[int] = set()
    while True:
        with _next_batch("webhooks") as events:
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


def fan_out_notifications() -> list[int]:
    """Notifications for every new event (notify.py says who), once per event and person; answers
    the ids of new notifications whose recipients want an email at once."""
    immediate: list[int] = []
    while True:
        with _next_batch("notifications") as events:
            if not events:
                return immediate
            rows = []
            for event in events:
                rules = [told for told in recipients(event) if told.person_ids]
                if not rules:
                    continue
                url, reached = _record_url(event), {actor_person_id(event)}
                for told in rules:
                    people = Person.objects.filter(pk__in=told.person_ids - reached).select_related("user")
                    for person in people:
                        reached.add(person.pk)
                        if person.user is None or not event_visible_to(event, person.user):
                            continue
                        rows.append(
                            Notification(event=event, recipient=person, verb=told.verb, text=told.text[:300], url=url)
                        )
            Notification.objects.bulk_create(rows, ignore_conflicts=True)
            immediate += list(
                Notification.objects.filter(
                    event__in=events,
                    emailed_at__isnull=True,
                    recipient__notification_preference__email=EmailChoice.IMMEDIATELY,
                ).values_list("pk", flat=True)
            )


def _record_url(event) -> str:
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return ""
    record = model._default_manager.filter(pk=event.object_id).first()
    return record.get_absolute_url() if record is not None and hasattr(record, "get_absolute_url") else ""
