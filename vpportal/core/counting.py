"""Counts for lists: exact, within a time budget.

`count` is the exact number of matching rows (PRODUCT.md, the API contract). On PostgreSQL a list
whose conditions are equalities on a counted table's dimensions (the unfiltered list, `?status=`,
`?kpi=`...) is answered from the maintained row count (vpportal/core/rowcounts.py): exact, and the
same cost at any table size. Any other list runs an exact `COUNT(*)` runs under `SET LOCAL statement_timeout` (COUNT_TIME_BUDGET_MS, setting
`LIST_COUNT_BUDGET_MS`), sent with the count in one round trip. Only when it would take longer may
the answer be an estimate, and only an estimate we can vouch for within ESTIMATE_TOLERANCE:

- the list is the whole table (no filter): the planner's row estimate (its last ANALYZE scaled to
  the table's current size) is taken when the statistics collector's live-row count agrees with it
  within half the tolerance, fewer rows than half the tolerance changed since that ANALYZE, and the
  current transaction changed none. Two independent sources agreeing, both fresh, keep the estimate
  within the tolerance of the truth;
- anything else (a filtered list, stale or disagreeing statistics) counts exactly, without the
  budget: a wrong total is worse than a slow one (a BI tool reconciles totals).

Measured (benchmarks/lists.py, `count_cost`): an exact count of 100,000 rows costs a few ms on the
list-order or filter index, well inside the budget, so lists up to that size always count exactly;
the budget only bites on tables of millions (KPI measurements, unfiltered).
"""

from django.conf import settings
from django.db import OperationalError, connections
from django.db.models import QuerySet

from .rowcounts import maintained_count

COUNT_TIME_BUDGET_MS = 50
ESTIMATE_TOLERANCE = 0.10


def _rows_sql(queryset) -> tuple[str, tuple]:
    """The matching rows' ids as SQL to count over: unordered, one column."""
    return queryset.order_by().values("pk").query.sql_with_params()


def count_budget_ms() -> int:
    return int(getattr(settings, "LIST_COUNT_BUDGET_MS", COUNT_TIME_BUDGET_MS))


def page_past_count(queryset, offset: int, limit: int) -> tuple[list, bool]:
    """(rows, more follow) of a page when the count is an estimate: one row more than the page is
    read, so whether a next page exists is known, not guessed from the estimate."""
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def _first_row(cursor):
    """The first row of the first result that has rows, in a multi-statement answer."""
    raw = cursor.cursor
    while raw.description is None:
        if not raw.nextset():
            return None
    return raw.fetchone()


def _count_within(connection, sql: str, params, budget_ms: int) -> int | None:
    """The exact count, or None when it would take longer than `budget_ms`.

    The timeout is `SET LOCAL`, sent in the same round trip as the count: in a transaction (a test,
    an atomic view) it lives in a savepoint that is rolled back after the count, so it never
    outlasts the count; outside one the statements form their own implicit transaction."""
    count = f"SELECT COUNT(*) FROM ({sql}) AS counted"
    timeout = f"SET LOCAL statement_timeout = {int(budget_ms)}"
    in_transaction = connection.in_atomic_block
    with connection.cursor() as cursor:
        try:
            if in_transaction:
                cursor.execute(
                    f"SAVEPOINT vp_count; {timeout}; {count}; ROLLBACK TO SAVEPOINT vp_count; RELEASE SAVEPOINT vp_count",
                    params,
                )
            else:
                cursor.execute(f"{timeout}; {count}", params)
            return int(_first_row(cursor)[0])
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != "57014":  # query_canceled
                raise
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT vp_count; RELEASE SAVEPOINT vp_count")
            return None


def _is_whole_table(queryset) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


def vouched_estimate(queryset) -> int | None:
    """The whole table's row count from fresh, agreeing statistics, or None (see the module doc)."""
    if not _is_whole_table(queryset):
        return None
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, c.relpages, "
            "pg_relation_size(c.oid) / current_setting('block_size')::int, s.n_live_tup, "
            "s.n_mod_since_analyze, "
            "pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid) "
            "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    reltuples, relpages, pages_now, live, changed, changed_here = row
    if reltuples < 0 or relpages <= 0 or changed_here:
        return None  # never analysed, or this transaction's own rows the statistics do not see
    planner = reltuples / relpages * pages_now
    half = ESTIMATE_TOLERANCE / 2
    if planner <= 0 or changed > half * reltuples or abs(live - planner) > half * planner:
        return None
    return round(planner)


def bounded_count(queryset, budget_ms: int | None = None) -> tuple[int, bool]:
    """(count, is_estimate) of a queryset (or any sized collection): exact unless counting would
    exceed the time budget and a vouched estimate exists."""
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        # SQLite is the single-user development default: it has no statement timeout to bound by.
        return queryset.count(), False
    maintained = maintained_count(queryset)
    if maintained is not None:
        return maintained, False
    sql, params = _rows_sql(queryset)
    exact = _count_within(connection, sql, params, budget_ms or count_budget_ms())
    if exact is not None:
        return exact, False
    estimate = vouched_estimate(queryset)
    if estimate is not None:
        return estimate, True
    return queryset.count(), False


def count_together(**querysets) -> dict[str, int]:
    """Exact counts of several querysets in one statement: {name: count}.

    A page that shows many small figures (the dashboard's overdue counts, say) pays one round trip
    and one statement instead of one per figure. All querysets must use the same database.
    """
    if not querysets:
        return {}
    using = _database_of(querysets)
    return counts_of_row(querysets, run_count_together(using, *count_together_sql(**querysets)))


def _database_of(querysets: dict) -> str:
    databases = {qs.db for qs in querysets.values()}
    if len(databases) != 1:
        raise ValueError(f"count_together() needs querysets of one database, got {sorted(databases)}")
    return databases.pop()


def count_together_sql(**querysets) -> tuple[str, list]:
    """The statement of `count_together()` (for callers that compile it once, vpportal/core/compiled.py)."""
    _database_of(querysets)
    selects, all_params = [], []
    for position, queryset in enumerate(querysets.values()):
        sql, params = _rows_sql(queryset)
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{position})")
        all_params.extend(params)
    return "SELECT " + ", ".join(selects), all_params


def run_count_together(using: str, sql: str, params) -> tuple:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def counts_of_row(names, row) -> dict[str, int]:
    """{name: count} of a row of `count_together_sql()`, in the order of its querysets."""
    return {name: int(n) for name, n in zip(names, row, strict=True)}
