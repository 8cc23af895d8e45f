"""Recording events: called by the foundation's write services (vpportal/core/services.py) inside
the change's transaction, so a rolled-back change leaves no event and every channel (pages, admin,
API, import, commands) emits the same events without code of its own.

Commit order. A reader must never see event 12 while a concurrently committing event 11 can still
appear behind it (a client that stores the last id it processed would miss 11 for ever). On
PostgreSQL, id sequences hand out numbers in insert order, not commit order; so every transaction
takes one transaction-scoped advisory lock just before its first event and keeps it until it
commits or rolls back: event ids are then handed out in commit order. Only the tail of a writing
transaction (from its first event to its commit) is serialised. SQLite serialises writers anyway
(BEGIN IMMEDIATE, settings.py).

`data` is the record as the API shows it: the API registers each model's queryset and serializer
(`register_shape`, called by TrackedViewSet), so the foundation imports no app.
"""

import re
from functools import partial

from django.db import connection, transaction
from django.dispatch import Signal

from vpportal.core.history import current_channel

# Sent after the commit of a transaction that recorded events (`ids`: their ids). The consumers
# (webhooks, notifications) start their background fan-out on it; a periodic sweep catches up if
# the broker was unreachable at that moment.
events_committed = Signal()

# Any fixed 64-bit number, the same in every process: the key of the commit-order lock.
COMMIT_ORDER_LOCK = 0x7670_6576_656E_7473  # "vpevents"

_SHAPES: dict[type, tuple] = {}
_shapes_loaded = False


def register_shape(model, queryset, serializer_class, *, replace: bool = False) -> None:
    """The API shape of `model`'s records (the first registration wins: the resource's own; `replace`:
    a higher app's extension of the resource, served at its path instead, takes its place)."""
    if replace:
        _SHAPES[model] = (queryset, serializer_class)
    else:
        _SHAPES.setdefault(model, (queryset, serializer_class))


def _shape(model):
    global _shapes_loaded
    if model not in _SHAPES and not _shapes_loaded:
        # Outside a request (worker, command) the API modules may not be imported yet: loading the
        # URL configuration imports every resource, which registers its shape.
        from django.urls import get_resolver

        _shapes_loaded = True
        get_resolver().url_patterns  # noqa: B018
    return _SHAPES.get(model)


_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def type_prefix(model) -> str:
    """`PolicyVersion` -> `policy_version`, `KPIMeasurement` -> `kpi_measurement`."""
    return _WORD_BREAK.sub("_", model.__name__).lower()


def object_type(model) -> str:
    return model._meta.label_lower


def represent(instance) -> dict:
    """The record as the API shows it (annotations included), with its private fields: the feed
    removes those for readers who may not see them."""
    model = type(instance)
    shape = _shape(model)
    if shape is None:
        return {"id": instance.pk}
    queryset, serializer_class = shape
    fresh = queryset.select_related(None).filter(pk=instance.pk).first() or instance
    serializer = serializer_class(fresh, context={})
    data = dict(serializer.data)
    for name in getattr(model, "PRIVATE_FIELDS", ()):
        if name in serializer.fields:
            data[name] = serializer.fields[name].to_representation(getattr(fresh, name))
    return data


def represent_many(model, ids) -> dict:
    """{id: the record as the API shows it} for many records of `model` in one read (set-wise events)."""
    shape = _shape(model)
    if shape is None:
        return {pk: {"id": pk} for pk in ids}
    queryset, serializer_class = shape
    rows = list(queryset.select_related(None).filter(pk__in=ids))
    data = serializer_class(rows, many=True, context={}).data
    return {row.pk: dict(item) for row, item in zip(rows, data, strict=True)}


def _actor_id(by):
    return by.pk if by is not None and getattr(by, "is_authenticated", False) else None


def hold_commit_order() -> None:
    """Take the commit-order lock for the rest of the current transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_ORDER_LOCK])


def _announce(events) -> None:
    ids = [e.pk for e in events]
    transaction.on_commit(partial(events_committed.send, sender=None, ids=ids))


def record_event(instance, action: str, *, by, data: dict | None = None, extra: dict | None = None, object_id=None):
    """Record one event about `instance`. `action` is `created`/`updated`/`deleted` (prefixed with
    the model's type) or a full named type such as `risk.accepted`. `extra` (from/to of a move, an
    override) is added to the data under `action`."""
    from .models import Event

    model = type(instance)
    event_type = action if "." in action else f"{type_prefix(model)}.{action}"
    payload = represent(instance) if data is None else data
    if extra:
        payload = {**payload, "action": extra}
    with transaction.atomic(savepoint=False):  # a transaction, but no savepoint statements
        hold_commit_order()
        event = Event.objects.create(
            type=event_type,
            object_type=object_type(model),
            object_id=instance.pk if object_id is None else object_id,
            actor_id=_actor_id(by),
            channel=current_channel(),
            data=payload,
        )
        _announce([event])
    return event


def record_events(model, rows, *, by, channel: str | None = None):
    """Record many events in one statement: `rows` are (type, object id, data)."""
    from .models import Event

    if not rows:
        return []
    channel = channel or current_channel()
    actor_id = _actor_id(by)
    label = object_type(model)
    with transaction.atomic(savepoint=False):  # a transaction, but no savepoint statements
        hold_commit_order()
        events = Event.objects.bulk_create(
            [
                Event(type=t, object_type=label, object_id=pk, actor_id=actor_id, channel=channel, data=d)
                for t, pk, d in rows
            ]
        )
        _announce(events)
    return events
