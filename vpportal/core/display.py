"""How a record's attribute reads in a list cell, a CSV cell or a history diff."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone

from .money import Money


def resolve(obj, path: str):
    """Follow `a.b.c`, using `get_<field>_display` for choices and calling callables; a list of
    choices reads as their labels (the model's `LIST_CHOICES`), money as `Money` (`MONEY_FIELDS`)."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        owner = value
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
        value = _as_people_read_it(owner, part, value)
    if isinstance(value, models.Manager):
        value = ", ".join(str(item) for item in value.all())
    return value


def _as_people_read_it(owner, name, value):
    if isinstance(value, list | tuple) and name in getattr(owner, "LIST_CHOICES", {}):
        labels = dict(owner.LIST_CHOICES[name])
        return [str(labels.get(item, item)) for item in value]
    currency_field = getattr(owner, "MONEY_FIELDS", {}).get(name)
    if currency_field and value is not None:
        return Money(value, getattr(owner, currency_field, ""))
    return value


def cell_text(obj, path: str) -> str:
    value = resolve(obj, path)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def html_text(value) -> str:
    """A resolved value as a page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
