"""Reading the feed as one reader may: only events of records the reader may see (each model's own
`visible_to`), private fields only for their readers."""

from django.apps import apps
from django.db import models

from vpportal.roles import role_names


def tracked_models() -> list:
    from vpportal.core.models import Tracked

    return [m for m in apps.get_models() if issubclass(m, Tracked)]


def visibility(model, user):
    """("all" | "none" | a subquery of visible ids) for `model`'s records as `user` may see them:
    "all" and "none" cost no query to apply."""
    visible = model._default_manager.visible_to(user)
    if visible.query.is_empty():
        return "none"
    if not visible.query.where:
        return "all"
    return visible.order_by().values("pk")


# Each role set's verdicts ("all" | "none" | "some") on the tracked models, for the life of the process.
# A model's `visible_to` decides everything-or-nothing from the reader's roles (and superuser flag)
# alone; whatever depends on the reader themself (a contributor's own mentorships and sessions, the
# evidence they uploaded) is a WHERE on their id, which makes the verdict "some": that subquery is
# built again for every reader. The key carries each model's `visible_to` function, so replacing one
# (a test's monkeypatch) never reads a verdict another function gave. Pinned by
# tests/events/test_feed.py (same verdicts for readers of the same roles).
_VERDICTS: dict = {}


def _verdicts(user) -> list:
    """[(model, "all" | "none" | "some")] for every tracked model, as `user`'s role set sees them."""
    models_ = tracked_models()
    key = (
        bool(getattr(user, "is_superuser", False)),
        role_names(user),
        tuple(m._default_manager._queryset_class.visible_to for m in models_),
    )
    verdicts = _VERDICTS.get(key)
    if verdicts is None:
        verdicts = []
        for model in models_:
            restriction = visibility(model, user)
            verdicts.append((model, restriction if restriction in ("all", "none") else "some"))
        _VERDICTS[key] = verdicts
    return verdicts


def event_visible_to(event, user) -> bool:
    """May `user` see the record `event` is about (its model's own `visible_to`)? An event of a
    model no longer installed is seen by no one; a model that hides all or nothing costs no query."""
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return False
    restriction = visibility(model, user)
    if restriction in ("all", "none"):
        return restriction == "all"
    return model._default_manager.visible_to(user).filter(pk=event.object_id).exists()


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events of records `user` may see. A model whose `visible_to` hides nothing from the
        reader costs no condition; one that filters rows contributes `object_id IN (visible ids)`
        (so events of its deleted records are not shown: they can no longer be judged)."""
        if user is None or not user.is_authenticated:
            return self.none()
        allowed, condition = [], models.Q()
        for model, verdict in _verdicts(user):
            label = model._meta.label_lower
            if verdict == "all":
                allowed.append(label)
            elif verdict == "some":
                # The reader's own subquery, built for this reader (see _VERDICTS).
                restriction = visibility(model, user)
                if restriction == "all":
                    allowed.append(label)
                elif restriction != "none":
                    condition |= models.Q(object_type=label, object_id__in=restriction)
        if not allowed and not condition:
            return self.none()
        return self.filter(models.Q(object_type__in=allowed) | condition)

    def after(self, event_id: int):
        return self.filter(pk__gt=event_id)


def mask_private(events, user) -> None:
    """Remove the private fields (a model's PRIVATE_FIELDS) from `data` of each event `user` may
    not read them on, judged like the history page: by the stored record's own rule
    (`history_hidden_for`); a deleted record's private fields are masked for everyone.

    `events` are Event instances or `.values()` rows of them (the feed's page): both are masked in
    place."""
    if events and type(events[0]) is dict:
        rows = events
        events = [_RowEvent(row) for row in rows]
    by_model: dict = {}
    for event in events:
        by_model.setdefault(event.object_type, []).append(event)
    for label, group in by_model.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        private = getattr(model, "PRIVATE_FIELDS", ())
        if not private:
            continue
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        ids = {e.object_id for e in group}
        stored = model._base_manager.select_related(*relations).in_bulk(ids)
        for event in group:
            record = stored.get(event.object_id)
            judged = record is not None and hasattr(record, "history_hidden_for")
            hidden = record.history_hidden_for(user) if judged else frozenset(private)
            if hidden & set(event.data):
                event.data = {k: v for k, v in event.data.items() if k not in hidden}


class _RowEvent:
    """An event's `.values()` row read and masked like an Event (object_type, object_id, data)."""

    __slots__ = ("row",)

    def __init__(self, row: dict):
        self.row = row

    @property
    def object_type(self):
        return self.row["object_type"]

    @property
    def object_id(self):
        return self.row["object_id"]

    @property
    def data(self):
        return self.row["data"]

    @data.setter
    def data(self, value):
        self.row["data"] = value
