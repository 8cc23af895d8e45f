"""Which stored files may go: a file stays while any evidence record, or any version in the
history of a record deleted less than EVIDENCE_RETENTION_DAYS ago, names it. Earlier versions of
live evidence stay as long as the evidence does (its history shows and downloads them)."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import storage
from .models import Evidence


def _history():
    return Evidence.history.model.objects


def _kept_ids(now=None):
    """Ids of evidence whose files are kept: live ones and ones deleted within the retention."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    deleted_long_ago = _history().filter(history_type="-", history_date__lt=cutoff).values("id")
    return Q(id__in=Evidence.objects.values("pk")) | ~Q(id__in=deleted_long_ago)


def referenced(name: str, now=None) -> bool:
    return Evidence.objects.filter(file=name).exists() or _history().filter(_kept_ids(now), file=name).exists()


def expired_files(now=None) -> list[str]:
    """Stored names only evidence deleted before the retention period still names."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EVIDENCE_RETENTION_DAYS)
    deleted_long_ago = _history().filter(history_type="-", history_date__lt=cutoff).values("id")
    candidates = set(
        _history().filter(id__in=deleted_long_ago).exclude(file="").values_list("file", flat=True).distinct()
    )
    return sorted(name for name in candidates if not referenced(name, now))


def purge(now=None) -> list[str]:
    """Remove the files past retention from storage; the names removed."""
    removed = []
    for name in expired_files(now):
        storage.delete_stored(name)
        removed.append(name)
    return removed
