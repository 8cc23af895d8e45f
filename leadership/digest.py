"""The daily digest: each active person with an email gets, in one email, what the event stream told
them since the last digest (their notifications, for people who chose the digest: integrations'
fan-out turns every event into them, integrations/notify.py) and their due and overdue items.

Safe to run from cron or beat at any frequency: a notification is emailed once (`emailed_at`), an
item goes to a person at most once per day (DigestEntry), both marked in the transaction that sends
the email, so a second run the same day sends nothing new, and a person with nothing new gets no
email. Items come from the "what's due" queue (`leadership.due.due_items`), read as the system: one
pass over every area, whatever the number of people. Due items are the passing of dates, not
changes, so they are not events: they stay with the queue.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from integrations.emails import awaiting_digest, claim
from leadership.due import due_items
from leadership.models import DigestEntry
from vpportal.people.models import Person

DIGEST_HORIZON_DAYS = 7


@dataclass
class Result:
    emails: int = 0
    items: int = 0
    notifications: int = 0


def base_url() -> str:
    """Where links in emails point: PORTAL_BASE_URL from the environment (settings), else localhost."""
    return getattr(settings, "PORTAL_BASE_URL", "") or "http://localhost:8000"


def send_digests(*, today: datetime.date | None = None, base: str | None = None, dry_run: bool = False) -> Result:
    today = today or timezone.localdate()
    base = (base or base_url()).rstrip("/")
    by_person = defaultdict(list)
    for item in due_items(None, today=today, horizon_days=DIGEST_HORIZON_DAYS):
        for person_id in item.people:
            by_person[person_id].append(item)
    told = defaultdict(list)
    for notification in awaiting_digest():
        told[notification.recipient_id].append(notification)
    if not by_person and not told:
        return Result()
    sent_today = set(
        DigestEntry.objects.filter(sent_on=today, person_id__in=by_person).values_list("person_id", "item")
    )
    recipients = Person.objects.active().exclude(email="").filter(pk__in=set(by_person) | set(told)).order_by("pk")
    result, connection = Result(), get_connection()
    for person in recipients:
        fresh = [i for i in by_person[person.pk] if (person.pk, i.key) not in sent_today]
        notifications = told[person.pk]
        if not fresh and not notifications:
            continue
        if not dry_run and not _send(person, fresh, notifications, today=today, base=base, connection=connection):
            continue
        result.emails += 1
        result.items += len(fresh)
        result.notifications += len(notifications)
    return result


def _subject(overdue: int, upcoming: int, notifications: int) -> str:
    parts = [f"{overdue} overdue, {upcoming} due soon"] if overdue or upcoming else []
    if notifications:
        parts.append(f"{notifications} notification{'s' if notifications != 1 else ''}")
    return "VP Portal: " + ", ".join(parts)


def _send(person, items, notifications, *, today, base, connection) -> bool:
    overdue = [i for i in items if i.overdue]
    context = {
        "person": person,
        "overdue": overdue,
        "upcoming": [i for i in items if not i.overdue],
        "notifications": notifications,
        "base": base,
    }
    message = EmailMultiAlternatives(
        subject=_subject(len(overdue), len(items) - len(overdue), len(notifications)),
        body=render_to_string("vpportal/email/digest.txt", context),
        to=[person.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("vpportal/email/digest.html", context), "text/html")
    # Remember first, in the same transaction as the send: if the send fails, nothing is
    # remembered and the next run retries; a concurrent run trips over the unique constraint (the
    # items) or finds the notifications claimed.
    try:
        with transaction.atomic():
            DigestEntry.objects.bulk_create([DigestEntry(person=person, item=i.key, sent_on=today) for i in items])
            if notifications and not claim([n.pk for n in notifications]):
                return False
            message.send()
    except IntegrityError:  # another run sent these moments ago
        return False
    return True
