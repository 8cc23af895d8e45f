"""Reading one cell of an import row (text, choices, dates, numbers, natural-key look-ups) and
writing one back for export. Each reader appends its field's problem to `errors` instead of raising,
so a preview lists every problem of a row at once."""

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance.models import AISystem
from initiatives.models import KPI, Initiative
from vpportal.people.models import Person


class RowError(Exception):
    """Errors of one row: {column: [messages]}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# --- cell parsing -------------------------------------------------------------------------------
def _text(row, name):
    return (row.get(name) or "").strip()


def _choice(row, name, choices, errors, default=None):
    value = _text(row, name)
    if not value:
        return default
    by_label = {str(label).lower(): v for v, label in choices.choices}
    if value in choices.values:
        return value
    if value.lower() in by_label:
        return by_label[value.lower()]
    errors[name] = [f"“{value}” is not one of: {', '.join(choices.values)}."]
    return None


def _parsed(row, name, errors, parse, problem: str):
    """The cell read by `parse` (None when empty); `problem` ("not a ...") when it does not parse."""
    value = _text(row, name)
    if not value:
        return None
    try:
        return parse(value)
    except (ValueError, InvalidOperation):
        errors[name] = [f"“{value}” is {problem}."]
        return None


def _date(row, name, errors):
    return _parsed(row, name, errors, lambda value: datetime.date.fromisoformat(value[:10]), "not a date (YYYY-MM-DD)")


def _datetime(row, name, errors):
    value = _text(row, name)
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        errors[name] = [f"“{value}” is not a date and time (ISO 8601)." if value else "Required."]
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _int(row, name, errors):
    return _parsed(row, name, errors, int, "not a whole number")


def _decimal(row, name, errors):
    number = _parsed(row, name, errors, Decimal, "not a number")
    if number is not None and not number.is_finite():
        errors[name] = ["Enter a finite number."]
        return None
    return number


def _float(row, name, errors):
    value = _text(row, name)
    try:
        number = float(value)
    except ValueError:
        errors[name] = [f"“{value}” is not a number." if value else "Required."]
        return None
    if not math.isfinite(number):
        errors[name] = ["Enter a finite number."]
        return None
    return number


def _bool(row, name, errors, default=False):
    value = _text(row, name).lower()
    if not value:
        return default
    if value in ("yes", "true", "1", "y"):
        return True
    if value in ("no", "false", "0", "n"):
        return False
    errors[name] = [f"“{value}” is not yes or no."]
    return None


def _list(row, name):
    return [v.strip() for v in _text(row, name).split(",") if v.strip()]


def _required(row, name, errors):
    value = _text(row, name)
    if not value:
        errors[name] = ["Required."]
    return value


# --- natural keys (looked up once per import: `cache`) --------------------------------------------
def _looked_up(cache, kind: str, key, find):
    """`find()` for `key` the first time an import meets it; the same record afterwards."""
    found = cache.setdefault(kind, {})
    if key not in found:
        found[key] = find()
    return found[key]


def _named(errors, name, cache, kind: str, value, find, missing: str):
    """The record a cell names by its natural key `value` (None when empty), looked up once per
    import; `missing` (formatted with the value) as the cell's error when there is none."""
    if not value:
        return None
    record = _looked_up(cache, kind, value, find)
    if record is None:
        errors[name] = [missing.format(value)]
    return record


def _person(row, name, errors, cache):
    email = _text(row, name).lower()
    find = Person.objects.filter(email=email).first
    return _named(errors, name, cache, "person", email, find, "No person with the email {}.")


def _initiative(row, name, errors, cache):
    key = _text(row, name).upper()
    find = Initiative.objects.filter(key=key).first
    return _named(errors, name, cache, "initiative", key, find, "No initiative with the key {}.")


def _kpi(row, errors, cache):
    initiative_key, name = _text(row, "initiative_key").upper(), _text(row, "kpi_name")
    if not name:
        errors["kpi_name"] = ["Required."]
        return None

    def find():
        kpis = KPI.objects.filter(name=name)
        kpis = kpis.filter(initiative__key=initiative_key) if initiative_key else kpis.filter(initiative__isnull=True)
        return kpis.order_by("pk").first()

    kpi = _looked_up(cache, "kpi", (initiative_key, name), find)
    if kpi is None:
        errors["kpi_name"] = [f"No KPI “{name}” on {initiative_key or 'the organisation'}."]
    return kpi


def _ai_system(row, name, errors, cache):
    value = _text(row, name)
    find = AISystem.objects.filter(name=value).order_by("pk").first
    return _named(errors, name, cache, "ai_system", value, find, "No AI system named “{}”.")


def _free_pk(model, key: str, prefix: str):
    """The primary key a key like INI-0007 derives from, when no record uses it yet."""
    number = key.removeprefix(prefix)
    if not key.startswith(prefix) or not number.isdigit():
        return None
    pk = int(number)
    return None if model._base_manager.filter(pk=pk).exists() else pk


def _changed(obj, data: dict) -> dict:
    """Only the fields whose value differs from the record's (relations compared by id)."""
    changed = {}
    for name, value in data.items():
        current = getattr(obj, name)
        if hasattr(current, "pk") or hasattr(value, "pk"):
            same = getattr(current, "pk", current) == getattr(value, "pk", value)
        elif isinstance(current, Decimal) and value is not None:
            same = current == Decimal(value)
        else:
            same = current == value
        if not same:
            changed[name] = value
    return changed


def _email(person):
    return person.email if person is not None else ""


def _key(record):
    return record.key if record is not None else ""


def _iso(value):
    return value.isoformat() if value is not None else ""


def _num(value):
    if value is None:
        return ""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value
