"""Writes on webhook subscriptions and deliveries: pages, admin and API call these."""

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vpportal.core.services import Writes, delete_record, require, save_changes, save_new
from vpportal.events.outbox import record_event
from vpportal.events.patterns import MSG_BAD_PATTERN, validate_pattern
from vpportal.people.models import Person

from .models import DeliveryStatus, Webhook, WebhookDelivery
from .targets import check_target

MSG_NO_TYPES = "Name at least one event type (a pattern such as “risk.*”, or “*” for every event)."
PING = "webhook.ping"


def generate_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def clean_event_types(value) -> list[str]:
    if isinstance(value, str):
        value = [p for p in value.replace(",", " ").split() if p]
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError({"event_types": MSG_NO_TYPES})
    try:
        return sorted({validate_pattern(str(p)) for p in value})
    except ValidationError:
        raise ValidationError({"event_types": MSG_BAD_PATTERN})


def _clean(data: dict) -> dict:
    data = dict(data)
    if "event_types" in data:
        data["event_types"] = clean_event_types(data["event_types"])
    if "url" in data:
        check_target(data["url"])
    return data


@transaction.atomic
def webhook_create(*, by, data: dict) -> tuple[Webhook, str]:
    """A new subscription and its secret: the secret is answered here once and never shown again."""
    require(by, "add", Webhook)
    data = _clean({"event_types": data.get("event_types"), **data})
    if data.get("owner") is None:
        data["owner"] = Person.objects.of_user(by)  # the one told when it fails; default: its author
    webhook = Webhook(**data, secret=generate_secret())
    save_new(webhook, by=by)
    return webhook, webhook.secret


def webhook_update(webhook: Webhook, *, by, data: dict, version: int | None = None) -> Webhook:
    require(by, "change", webhook)
    data = _clean(data)
    for name, value in data.items():
        setattr(webhook, name, value)
    if data.get("active"):
        webhook.disabled_reason = ""
    return save_changes(webhook, by=by, version=version, fields=[*data, "disabled_reason"])


def webhook_delete(webhook: Webhook, *, by, version: int | None = None) -> None:
    delete_record(webhook, by=by, version=version)


@transaction.atomic
def webhook_rotate_secret(webhook: Webhook, *, by, version: int | None = None) -> tuple[Webhook, str]:
    """A new secret; the old one keeps signing too (a second signature) for the overlap window, so
    receivers can switch without losing a delivery."""
    require(by, "change", webhook)
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    webhook.secret = generate_secret()
    save_changes(
        webhook,
        by=by,
        version=version,
        fields=["secret", "previous_secret", "previous_secret_expires_at"],
        event="webhook.secret_rotated",
    )
    return webhook, webhook.secret


@transaction.atomic
def webhook_test(webhook: Webhook, *, by) -> WebhookDelivery:
    """Send a `webhook.ping` event to this subscription only (queued behind its earlier deliveries)."""
    require(by, "change", webhook)
    event = record_event(webhook, PING, by=by, data={"id": webhook.pk, "url": webhook.url})
    return WebhookDelivery.objects.create(webhook=webhook, event=event)


@transaction.atomic
def webhook_disable(webhook: Webhook, *, reason: str) -> Webhook:
    """The system turns off a subscription that kept failing (its owner is told: the
    `webhook.disabled` event reaches them as a notification)."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    webhook.active = False
    webhook.disabled_reason = reason[:300]
    return save_changes(webhook, by=None, version=None, fields=["active", "disabled_reason"], event="webhook.disabled")


@transaction.atomic
def delivery_redeliver(delivery: WebhookDelivery, *, by) -> WebhookDelivery:
    """Send the event of `delivery` again (the same `webhook-id`): a new attempt, due now."""
    require(by, "change", delivery.webhook)
    last = (
        WebhookDelivery.objects.select_for_update()
        .filter(webhook_id=delivery.webhook_id, event_id=delivery.event_id)
        .order_by("-attempt")
        .first()
    )
    if last.status == DeliveryStatus.PENDING:
        return last
    return WebhookDelivery.objects.create(
        webhook_id=delivery.webhook_id, event_id=delivery.event_id, attempt=last.attempt + 1
    )


def mark_read(user, ids=None) -> int:
    """Mark the user's own notifications read (`ids`, or every unread one); answers how many."""
    from .models import Notification

    mine = Notification.objects.for_user(user)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    return mine.unread().update(read_at=timezone.now())


def set_email_preference(person, choice: str):
    from .models import EmailChoice, NotificationPreference

    if choice not in EmailChoice.values:
        raise ValidationError({"email": f"Choose one of: {', '.join(EmailChoice.values)}."})
    preference, _ = NotificationPreference.objects.update_or_create(person=person, defaults={"email": choice})
    return preference


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
WEBHOOK_WRITES = Writes(update=webhook_update, delete=webhook_delete)
