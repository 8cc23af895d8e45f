"""Counts for list pages whose cost does not grow with the table.

An exact `COUNT(*)` reads every matching row (PostgreSQL keeps no row count), so on a table of
100,000 risks it costs more than the page itself. Lists count exactly up to EXACT_COUNT_LIMIT
matching rows, reading at most that many; beyond it, PostgreSQL answers the planner's estimate
(`vp_count_estimate()`, created by vpportal/migrations/0004) and the answer says it is one. Both
happen in one statement, so a list costs the same number of queries at every size.
"""

from django.db import connections
from django.db.models import QuerySet

EXACT_COUNT_LIMIT = 1_000


def _rows_sql(queryset) -> tuple[str, tuple]:
    """The matching rows' ids as SQL to count over: unordered, one column."""
    return queryset.order_by().values("pk").query.sql_with_params()


def page_past_count(queryset, offset: int, limit: int) -> tuple[list, bool]:
    """(rows, more follow) of a page when the count is an estimate: one row more than the page is
    read, so whether a next page exists is known, not guessed from the estimate."""
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def bounded_count(queryset, limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """(count, is_estimate) of a queryset (or any sized collection)."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        # SQLite is the single-user development default: exact counts stay cheap enough there.
        return queryset.count(), False
    # Compiled once: unordered and unsliced, so the bounded count only appends its LIMIT.
    sql, params = _rows_sql(queryset)
    with connection.cursor() as cursor:
        # The estimate gets literal SQL (EXPLAIN takes no parameters): our own ORM statement, quoted
        # by the driver, never text from a request.
        estimate_of = connection.ops.compose_sql(sql, params)
        cursor.execute(
            f"SELECT CASE WHEN n > %s THEN GREATEST(vp_count_estimate(%s), n) ELSE n END, n > %s "
            f"FROM (SELECT COUNT(*) AS n FROM ({sql} LIMIT %s) AS bounded) AS counted",
            [limit, estimate_of, limit, *params, limit + 1],
        )
        count, estimated = cursor.fetchone()
    return int(count), bool(estimated)


def count_together(**querysets) -> dict[str, int]:
    """Exact counts of several querysets in one statement: {name: count}.

    A page that shows many small figures (the dashboard's overdue counts, say) pays one round trip
    and one statement instead of one per figure. All querysets must use the same database.
    """
    if not querysets:
        return {}
    databases = {qs.db for qs in querysets.values()}
    if len(databases) != 1:
        raise ValueError(f"count_together() needs querysets of one database, got {sorted(databases)}")
    connection = connections[databases.pop()]
    selects, all_params = [], []
    for position, queryset in enumerate(querysets.values()):
        sql, params = _rows_sql(queryset)
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{position})")
        all_params.extend(params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), all_params)
        row = cursor.fetchone()
    return {name: int(n) for name, n in zip(querysets, row, strict=True)}
