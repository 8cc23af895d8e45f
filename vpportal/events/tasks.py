"""Background jobs of the event stream."""

from celery import shared_task

from .retention import prune_events


@shared_task(acks_late=True)
def prune_events_task() -> int:
    """Retention (celery beat, every 6 hours): idempotent, a second run deletes nothing."""
    return prune_events()
