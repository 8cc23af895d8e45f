"""What an import compares and reserves beyond reading cells (the cells themselves are read and
written by each model's spec: vpportal.core.fieldspec)."""

from decimal import Decimal


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
