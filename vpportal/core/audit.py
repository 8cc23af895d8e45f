"""Readable change history: who changed which fields, when, through which channel.

Shared by the per-record history page and the API's audit endpoint. Fields a user may not see
(private notes) are listed as changed but never shown, with one placeholder whatever they held.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst

from .money import money

HIDDEN = "(hidden)"
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    record: object
    action: str
    changes: list[Change] = field(default_factory=list)

    @property
    def who(self):
        return self.record.history_user

    @property
    def who_name(self) -> str:
        """The person's name; their login only when no person is linked (the account is all we know).
        Needs `history_user__person` joined (HistoryView does)."""
        user = self.record.history_user
        if user is None:
            return ""
        person = getattr(user, "person", None)
        return person.name if person is not None else user.get_username()

    @property
    def when(self):
        return self.record.history_date

    @property
    def channel(self):
        return self.record.history_channel


def tracked_fields(model) -> list[models.Field]:
    skip = set(getattr(model, "HISTORY_HIDDEN_FIELDS", ()))
    return [f for f in model._meta.concrete_fields if f.name not in skip and f.name != "id"]


def labels_for_fks(model, records) -> dict[tuple[str, object], str]:
    """One query per foreign-key field, whatever the number of history rows."""
    labels = {}
    for f in tracked_fields(model):
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in records} - {None}
        if not ids:
            continue
        related = f.related_model._base_manager.filter(pk__in=ids)
        for obj in related:
            labels[(f.attname, obj.pk)] = str(obj)
    return labels


def field_text(record, f, labels, *, readable: bool = True) -> str:
    """One field of a history row as text: a choice's label, a relation's name, a list of choices
    by their labels (the model's `LIST_CHOICES`), and, when `readable`, dates, times and numbers
    as the pages write them (the portal's format, the reader's time zone). Not readable (the
    API's audit trail): dates and times in ISO 8601, UTC."""
    value = getattr(record, f.attname)
    if value is None or value == "" or value == []:
        return ""
    if f.is_relation:
        return labels.get((f.attname, value), f"#{value} (deleted)")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return ("Yes" if value else "No") if readable else ("yes" if value else "no")
    if isinstance(value, list | tuple):
        names = dict(getattr(record.instance_type, "LIST_CHOICES", {}).get(f.name, ()))
        return ", ".join(str(names.get(item, item)) for item in value)
    if isinstance(value, datetime.datetime):
        if not readable:
            return value.astimezone(datetime.UTC).isoformat()
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT") if readable else value.isoformat()
    currency_field = getattr(record.instance_type, "MONEY_FIELDS", {}).get(f.name)
    if readable and currency_field:
        return money(value, getattr(record, currency_field, ""))
    if readable and isinstance(value, Decimal):  # 90, not 90.000000
        value = Decimal(format(value.normalize(), "f"))
    if readable and isinstance(value, Decimal | int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def masked(history_type: str) -> tuple[str, str]:
    """(old, new) of a field the reader may not see: the same placeholder whether the value is empty
    or not, so neither its text nor its emptiness shows. A creation or deletion always lists the
    field; a change lists it when its value changed (that it changed is not secret)."""
    return (HIDDEN if history_type == "~" else ""), HIDDEN


def entries(model, records, hidden_fields=frozenset()) -> list[Entry]:
    """Turn history rows of one record, newest first, into entries with field changes."""
    records = list(records)
    labels = labels_for_fks(model, records)
    fields = tracked_fields(model)
    result = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        entry = Entry(record=record, action=ACTIONS.get(record.history_type, record.history_type))
        for f in fields:
            new = field_text(record, f, labels)
            old = field_text(previous, f, labels) if previous is not None else ""
            if record.history_type == "~" and previous is not None and old == new:
                continue
            hidden = f.name in hidden_fields
            if record.history_type != "~" and not new and not old and not hidden:
                continue
            if hidden:
                old, new = masked(record.history_type)
            entry.changes.append(Change(f.name, capfirst(str(f.verbose_name)), old, new))
        result.append(entry)
    return result
