"""The reminder digest: each active person with an email gets their due and overdue items.

Safe to run from cron at any frequency: an item goes to a person at most once per day (remembered
in DigestEntry), so a second run the same day sends nothing new, and a person with nothing new
gets no email. Items come from the "what's due" queue (`leadership.due.due_items`), read as the
system: one pass over every area, whatever the number of people.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from leadership.due import due_items
from leadership.models import DigestEntry
from vpportal.people.models import Person

DIGEST_HORIZON_DAYS = 7


@dataclass
class Result:
    emails: int = 0
    items: int = 0


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
    if not by_person:
        return Result()
    sent_today = set(
        DigestEntry.objects.filter(sent_on=today, person_id__in=by_person).values_list("person_id", "item")
    )
    recipients = Person.objects.active().exclude(email="").filter(pk__in=by_person).order_by("pk")
    result, connection = Result(), get_connection()
    for person in recipients:
        fresh = [i for i in by_person[person.pk] if (person.pk, i.key) not in sent_today]
        if not fresh:
            continue
        if not dry_run and not _send(person, fresh, today=today, base=base, connection=connection):
            continue
        result.emails += 1
        result.items += len(fresh)
    return result


def _send(person, items, *, today, base, connection) -> bool:
    overdue = [i for i in items if i.overdue]
    context = {"person": person, "overdue": overdue, "upcoming": [i for i in items if not i.overdue], "base": base}
    subject = f"VP Portal: {len(overdue)} overdue, {len(items) - len(overdue)} due soon"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("vpportal/email/digest.txt", context),
        to=[person.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("vpportal/email/digest.html", context), "text/html")
    # Remember first, in the same transaction as the send: if the send fails, nothing is
    # remembered and the next run retries; a concurrent run trips over the unique constraint.
    try:
        with transaction.atomic():
            DigestEntry.objects.bulk_create([DigestEntry(person=person, item=i.key, sent_on=today) for i in items])
            message.send()
    except IntegrityError:  # another run sent these moments ago
        return False
    return True
