"""Notification emails: at once for people who chose it, else in the daily digest (leadership/digest.py,
beside the due items). Each notification is emailed at most once (`emailed_at`, set in the same transaction as the send: a failed send is
retried by the next run, a concurrent run finds nothing left)."""

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EmailChoice, Notification


def base_url() -> str:
    from django.conf import settings

    return (getattr(settings, "PORTAL_BASE_URL", "") or "http://localhost:8000").rstrip("/")


def claim(ids) -> bool:
    """Mark the notifications emailed, inside the caller's transaction (the one that sends them):
    False, with nothing marked, when another run took some of them first."""
    claimed = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if claimed != len(ids):
        transaction.set_rollback(True)
        return False
    return True


def _send(person, notifications, *, subject, connection) -> bool:
    context = {"person": person, "notifications": notifications, "base": base_url()}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("integrations/email/notifications.txt", context),
        to=[person.email],
        connection=connection,
    )
    with transaction.atomic():
        if not claim([n.pk for n in notifications]):  # another run took some of them: leave it to that run
            return False
        message.send()
    return True


def send_immediate(ids) -> int:
    """One email per new notification of people who want them at once."""
    sent, connection = 0, get_connection()
    for notification in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("recipient"):
        person = notification.recipient
        if person.email and _send(
            person, [notification], subject=f"VP Portal: {notification.text}"[:150], connection=connection
        ):
            sent += 1
    return sent


def awaiting_digest():
    """Notifications for the daily digest (leadership/digest.py, which sends them with the due items):
    of people who chose it (the default) and have an email, not emailed yet, oldest first."""
    return (
        Notification.objects.filter(emailed_at__isnull=True)
        .exclude(recipient__notification_preference__email__in=[EmailChoice.IMMEDIATELY, EmailChoice.NEVER])
        .exclude(recipient__email="")
        .order_by("recipient_id", "id")
    )
