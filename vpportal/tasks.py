"""Background jobs of the foundation (Celery; vpportal/celery.py), idempotent and acknowledged late."""

import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

log = logging.getLogger(__name__)

# A mail server that is down is tried again with growing delays: 1, 2, 4 ... 512 minutes, about 17
# hours in all, then the message is given up (and logged). A password-reset link stays valid for
# days, so a late one still works.
MAIL_RETRIES = 10
MAIL_FIRST_DELAY_SECONDS = 60


def mail_payload(message) -> dict:
    """What the worker needs to send a rendered message again (JSON for the broker)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


@shared_task(bind=True, acks_late=True, max_retries=MAIL_RETRIES)
def send_mail_task(self, payload: dict) -> int:
    """Send a message the request could not send. Sending twice after a worker died mid-send is
    possible (acks_late); a second copy of a reset e-mail is harmless, a lost one is not."""
    message = EmailMultiAlternatives(payload["subject"], payload["body"], payload["from_email"], payload["to"])
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    try:
        return message.send()
    except (smtplib.SMTPException, OSError) as error:
        if self.request.retries >= self.max_retries:
            log.error("Gave up sending an e-mail after %d attempts: %s", self.request.retries + 1, type(error).__name__)
            raise
        raise self.retry(exc=error, countdown=MAIL_FIRST_DELAY_SECONDS * 2**self.request.retries)


@shared_task(acks_late=True)
def fold_row_counts_task() -> int:
    """Fold the maintained row counts' delta rows, one row per scope (vpportal/core/rowcounts.py)."""
    from vpportal.core.rowcounts import fold

    return fold()


@shared_task(acks_late=True)
def prune_expired_tokens_task() -> int:
    """Delete expired API tokens (vpportal/people/tokens.py): a request no longer sweeps them."""
    from vpportal.people.tokens import prune_expired

    return prune_expired()
