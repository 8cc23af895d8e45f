"""Bulk writes of many new rows with their history rows, fast on PostgreSQL.

`bulk_create` spends most of its time preparing each value in Python and binding it into a huge
INSERT; COPY streams the rows instead (about 10x faster for 10,000 KPI points, measured by
benchmarks/ingest.py). The primary keys are taken from the table's sequence first, so the history
rows can be written with the same ids. Other databases use django-simple-history's bulk path.
"""

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history


def insert_with_history(objs, model, *, actor, channel: str, batch_size: int = 2000) -> list:
    """Insert new `objs` of `model` and a creation history row for each, in the caller's transaction."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=actor,
            custom_historical_attrs={"history_channel": channel},
        )
    now = timezone.now()
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(objs)]
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = model._meta.concrete_fields
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(obj, field.attname, now)
        obj._state.adding = False
    history = model.history.model
    # Fields the historical model adds; the others copy the row itself.
    extra = {
        "history_date": now,
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": actor.pk if actor is not None else None,
        "history_channel": channel,
    }
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    with connection.cursor() as cursor:
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([getattr(obj, f.attname) for f in fields])
        columns = ", ".join(quote(f.column) for f in history_fields)
        with cursor.cursor.copy(f"COPY {quote(history._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [extra[f.attname] if f.attname in extra else getattr(obj, f.attname) for f in history_fields]
                )
    return objs
