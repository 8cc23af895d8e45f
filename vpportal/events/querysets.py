"""Reading the feed as one reader may: only events of records the reader may see (each model's own
`visible_to`), private fields only for their readers."""

from django.apps import apps
from django.db import models


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
        allowed, condition = [], models.Q()
        for model in tracked_models():
            label = model._meta.label_lower
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
