"""Which channel (web page, admin, API, system) a change came through, stored on every history row.

django-simple-history keeps the request of the current thread; the channel is read from its path so
that no view has to remember to set it. Changes made outside a request (management commands, cron
jobs, migrations) are recorded as `system`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    WEB = "web", "Web"
    ADMIN = "admin", "Admin"
    API = "api", "API"
    SYSTEM = "system", "System"


# The channel of work a worker does for a request (a large import from the page): set by `as_channel`.
_CHANNEL: ContextVar[str | None] = ContextVar("vp_channel", default=None)


@contextmanager
def as_channel(channel: str):
    """Record the changes made inside as coming through `channel` (a background job finishing what
    a page or the admin asked for)."""
    token = _CHANNEL.set(channel)
    try:
        yield
    finally:
        _CHANNEL.reset(token)


def current_channel() -> str:
    if (channel := _CHANNEL.get()) is not None:
        return channel
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return Channel.SYSTEM
    path = request.path
    if path.startswith("/admin/"):
        return Channel.ADMIN
    if path.startswith("/api/"):
        return Channel.API
    return Channel.WEB


class HistoryChannelModel(models.Model):
    """Abstract base of every historical model: adds the channel of the change."""

    history_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)

    class Meta:
        abstract = True


def stamp_channel(sender, history_instance, **kwargs):
    history_instance.history_channel = current_channel()
