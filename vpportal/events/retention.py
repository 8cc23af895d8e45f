"""Retention: events older than EVENT_RETENTION_DAYS are deleted by a periodic job (the records'
own history is kept). Deleted in bounded batches, oldest first, so a large backlog never holds one
long transaction."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Event

BATCH = 5000


def prune_events(now=None, batch: int = BATCH) -> int:
    """Delete events older than the retention period; answer how many went. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVENT_RETENTION_DAYS)
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(Event.objects.filter(occurred_at__lt=cutoff).order_by("id").values_list("id", flat=True)[:batch])
            if not ids:
                return removed
            Event.objects.filter(pk__in=ids).delete()
            removed += len(ids)
