"""How a record's attribute reads in a list cell, a CSV cell or a history diff."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone


def resolve(obj, path: str):
    """Follow `a.b.c`, using `get_<field>_display` for choices and calling callables."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if isinstance(value, models.Manager):
        value = ", ".join(str(item) for item in value.all())
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
