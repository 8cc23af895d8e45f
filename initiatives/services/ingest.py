"""Bulk inserts of many new rows with a creation history row each, fast on PostgreSQL.

Rows come in as plain tuples, never as model instances: building 10,000 instances (and setting their
user foreign keys) cost more than writing them. On PostgreSQL the tuples are streamed with COPY
into a temporary table, then one statement inserts them into the table and their history rows into
the history table (`WITH new AS (INSERT ... RETURNING *) INSERT INTO <history> SELECT ... FROM new`):
ids come from the table's own identity and history rows copy exactly what was stored. A batch that
may hold stored rows (asked in the same statement, by a few range probes) goes through ON CONFLICT
on the unique index instead, which skips exactly those (exact look-ups, safe against a concurrent
batch with the same rows). benchmarks/ingest.py measures it against a raw COPY into the table.

Other databases build the instances and use django-simple-history's bulk path, after one query for
the stored rows in the batch's range.
"""

from collections.abc import Sequence

from django.db import IntegrityError, connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

STAGING_TABLE = "bulk_insert_rows"


def insert_with_history(
    model,
    columns: Sequence[str],
    rows: Sequence[tuple],
    *,
    unique: Sequence[str],
    shared: dict,
    actor,
    channel: str,
    batch_size: int = 2000,
    count_by: str,
    plain_insert: bool = True,
) -> dict:
    """Insert `rows` (tuples of the values of `columns`, by attname) as new `model` rows, each with a
    creation history row by `actor` through `channel`, in the caller's transaction; answer how many
    were inserted per value of the `count_by` column (one of `columns`; the events of a batch are
    written per KPI). A row equal on `unique` (the fields of a unique constraint, among `columns`)
    to a stored row is skipped. `shared` holds values every row gets (attname: value); other fields
    get their auto_now time, their default, or NULL.

    On PostgreSQL a batch with no stored row is written by a plain INSERT (`plain_insert`): if a
    concurrent transaction stores one of its rows first, this raises `StoredMeanwhile` and the
    caller's transaction (or savepoint) is broken: roll it back and call again with
    `plain_insert=False`, which skips stored rows by ON CONFLICT whatever happens meanwhile."""
    if not rows:
        return {}
    now = timezone.now()
    shared = {**_implicit_values(model, [*columns, *shared], now), **shared}
    if connection.vendor == "postgresql":
        return _copy_with_history(model, columns, rows, unique, shared, actor, channel, now, count_by, plain_insert)
    positions = [columns.index(name) for name in unique]
    stored = _stored_keys(model, unique, {tuple(row[i] for i in positions) for row in rows})
    objs = [
        model(**dict(zip(columns, row, strict=True)), **shared)
        for row in rows
        if tuple(row[i] for i in positions) not in stored
    ]
    counts: dict = {}
    for obj in objs:
        key = getattr(obj, count_by)
        counts[key] = counts.get(key, 0) + 1
    if objs:
        bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=actor,
            custom_historical_attrs={"history_channel": channel},
        )
    return counts


def _implicit_values(model, given: Sequence[str], now) -> dict:
    """Values of the fields a bulk insert does not name, as a save would set them."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.attname] = now
        elif field.has_default():
            values[field.attname] = field.get_default()
        elif field.null:
            values[field.attname] = None
        else:
            raise ValueError(f"{model.__name__}.{field.name} has no value in the bulk insert.")
    return values


def _stored_keys(model, unique: Sequence[str], keys: set[tuple]) -> set[tuple]:
    """Which of `keys` (values of the `unique` fields) are stored: one query, the first field among
    the batch's values and the others within the batch's range."""
    lookups = {f"{unique[0]}__in": {key[0] for key in keys}}
    for position, name in enumerate(unique[1:], start=1):
        values = [key[position] for key in keys]
        lookups[f"{name}__range"] = (min(values), max(values))
    return set(model._default_manager.filter(**lookups).order_by().values_list(*unique)) & keys


class StoredMeanwhile(Exception):
    """A concurrent transaction stored a row of the batch between the check and the plain INSERT."""


def _copy_with_history(model, columns, rows, unique, shared, actor, channel, now, count_by, plain_insert) -> dict:
    quote = connection.ops.quote_name
    meta, history_meta = model._meta, model.history.model._meta
    fields = [meta.get_field(name) for name in columns]
    shared_fields = [meta.get_field(name) for name in shared]
    # Fields the historical model adds; the others copy the stored row.
    history_values = {
        "history_date": now,
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": actor.pk if actor is not None else None,
        "history_channel": channel,
    }
    stored_columns = {field.column for field in meta.concrete_fields}
    history_fields = [field for field in history_meta.concrete_fields if field.attname != "history_id"]
    history_select = []
    for field in history_fields:
        if field.attname in history_values:
            history_select.append("%s")
        elif field.column in stored_columns:
            history_select.append(quote(field.column))
        else:  # a field added to the historical model: fail rather than store NULL
            raise ValueError(f"No value for {history_meta.label}.{field.attname} in a bulk insert.")
    staged = ", ".join(quote(field.column) for field in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        types = [field.db_type(connection) for field in fields]
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} ("
            + ", ".join(f"{quote(field.column)} {db_type}" for field, db_type in zip(fields, types, strict=True))
            + ") ON COMMIT DROP"
        )
        # Binary: the server reads timestamps and numbers as they are instead of parsing text
        # (about 4x faster for 10,000 points). psycopg names types without their modifiers.
        with cursor.cursor.copy(f"COPY {STAGING_TABLE} ({staged}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([db_type.split("(")[0] for db_type in types])
            for row in rows:
                copy.write_row(row)

        def insert(skip_stored: str) -> str:
            return (
                f"WITH {skip_stored}new AS ("
                f"INSERT INTO {table} ({', '.join(quote(f.column) for f in shared_fields)}, {staged}) "
                f"SELECT {', '.join(['%s'] * len(shared_fields))}, {staged} FROM {STAGING_TABLE} "
                + (_WHERE_NONE_STORED if skip_stored else f"ON CONFLICT ({unique_columns}) DO NOTHING ")
                + f"RETURNING *), "
                f"history AS (INSERT INTO {quote(history_meta.db_table)} "
                f"({', '.join(quote(f.column) for f in history_fields)}) "
                f"SELECT {', '.join(history_select)} FROM new) "
                f"SELECT {quote(meta.get_field(count_by).column)}, COUNT(*) FROM new GROUP BY 1"
                + (f" UNION ALL SELECT NULL, {_STORED} FROM stored WHERE found" if skip_stored else "")
            )

        params = [*shared.values(), *(history_values[f.attname] for f in history_fields if f.attname in history_values)]
        unique_columns = ", ".join(quote(meta.get_field(name).column) for name in unique)
        # Most batches hold no stored row (new points of a feed): a plain INSERT then skips ON
        # CONFLICT's speculative insertion, which costs every row a probe of the unique index and a
        # second WAL record (~10% of the statement for 10,000 points). Whether any row of the batch
        # may be stored is asked in the same statement, by one probe per value of the first unique
        # field, over the batch's range of each other one; when some may be, nothing is inserted
        # and the batch goes through ON CONFLICT, which skips exactly the stored rows.
        first, others = unique[0], unique[1:]
        stored = (
            f"stored AS (SELECT EXISTS (SELECT FROM (SELECT {quote(meta.get_field(first).column)} AS k, "
            + "".join(
                f"MIN({quote(meta.get_field(name).column)}) AS lo{i}, MAX({quote(meta.get_field(name).column)}) AS hi{i}, "
                for i, name in enumerate(others)
            )
            + f"1 FROM {STAGING_TABLE} GROUP BY 1) AS batch CROSS JOIN LATERAL (SELECT FROM {table} AS t "
            f"WHERE t.{quote(meta.get_field(first).column)} = batch.k"
            + "".join(
                f" AND t.{quote(meta.get_field(name).column)} BETWEEN batch.lo{i} AND batch.hi{i}"
                for i, name in enumerate(others)
            )
            + " LIMIT 1) AS hit) AS found), "
        )
        inserted = None
        if plain_insert:
            try:
                cursor.execute(insert(stored), params)
            except IntegrityError as error:
                # The insert waited for a concurrent batch and failed on the unique index once that
                # one committed the same rows: the transaction is broken, the caller starts again.
                if _unique_violation(error, meta.db_table):
                    raise StoredMeanwhile(meta.db_table) from error
                raise
            inserted = dict(cursor.fetchall())
        if inserted is None or _STORED in inserted.values():
            cursor.execute(insert(""), params)
            inserted = dict(cursor.fetchall())
        # Dropped now, not only at commit: the caller's transaction may insert again.
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")
    return inserted


# The plain insert's condition, and the count it answers for a batch that may hold stored rows.
_WHERE_NONE_STORED = "WHERE NOT (SELECT found FROM stored) "
_STORED = -1


def _unique_violation(error: IntegrityError, table: str) -> bool:
    import psycopg  # the PostgreSQL path only

    cause = error.__cause__
    return isinstance(cause, psycopg.errors.UniqueViolation) and cause.diag.table_name == table
