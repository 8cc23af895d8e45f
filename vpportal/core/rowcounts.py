"""Maintained row counts: exact list counts that cost the same at 1,000 rows and at millions.

An exact `COUNT(*)` reads every matching row (or index entry): linear in the rows, whatever the
index. So on PostgreSQL each counted table carries a running count, kept by the database itself:

- `vp_row_count(table_name, scope, n)`: rows of signed deltas. `scope` is a JSON object of the
  table's *dimensions* (a few low-cardinality columns the lists filter on, such as a risk's
  `category` and `status`), so a list filtered on dimensions is counted too. The count of a scope is
  `SUM(n)` over its rows.
- Statement-level `AFTER INSERT / UPDATE / DELETE` triggers with transition tables add one delta row
  per scope a statement touched (an insert of 10,000 points is one grouped row per KPI, not 10,000
  updates of one counter); `TRUNCATE` clears the table's rows. Every write path is covered: the ORM,
  raw SQL, COPY, cascades, the admin, a psql session.
- The delta rows are written in the writing transaction, so they obey MVCC like the rows they
  count: a reader's snapshot sees a committed statement's rows and its delta together or neither,
  an uncommitted or rolled-back write counts for nobody else, and the writer sees its own. Writers
  only ever insert delta rows, so concurrent writers never wait on one another (no hot counter row).
- `fold()` replaces a table's delta rows by one row per scope (DELETE ... RETURNING feeding the
  INSERT of the sums, in one statement): readers see the same sum before and after, and a
  concurrent fold only sums the rows it itself deleted. A Celery beat task folds every minute, so
  a count sums about one row per scope plus the last minute's writes.
- `vp_row_count_table(table_name, dimensions)` says which tables are counted and by what; the
  `MaintainRowCount` migration operation installs the triggers and the initial counts in one
  transaction (CREATE TRIGGER locks out writers until it commits, so no write is missed or doubled).

Visibility. A maintained count is only answered when the queryset's conditions are equalities (or
`IN`) on the table's own dimension columns, and nothing else: no join that filters, no search, no
date range, no visibility condition. Models whose `visible_to` filters rows per reader (mentorships
for a contributor) are therefore never answered from the counter; those, and any other filter,
count exactly (`vpportal/core/counting.py`). For the counted lists (initiatives, KPIs, points,
risks, mitigations, milestones) `visible_to` is all-or-nothing by role, so every reader who sees
the list at all sees the whole-table scope.

SQLite (development) has none of this; lists count with `COUNT(*)` there.
"""

from django.db import connections
from django.db.migrations.operations.base import Operation
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND, WhereNode

COUNTS_TABLE = "vp_row_count"
TABLES_TABLE = "vp_row_count_table"
# Column types whose values compare as text in a JSON scope exactly as in SQL.
_DIMENSION_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "BooleanField",
    "ForeignKey",
    "AutoField",
    "BigAutoField",
}

INSTALL_SQL = f"""
CREATE TABLE IF NOT EXISTS {TABLES_TABLE} (
    table_name text PRIMARY KEY,
    dimensions text[] NOT NULL
);
CREATE TABLE IF NOT EXISTS {COUNTS_TABLE} (
    id bigserial PRIMARY KEY,
    table_name text NOT NULL,
    scope jsonb NOT NULL,
    n bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS vp_row_count_table_idx ON {COUNTS_TABLE} (table_name);

-- The scope expression of a row: jsonb_build_object('col', col, ...) over the trigger's arguments.
CREATE OR REPLACE FUNCTION vp_row_count_scope(dimensions text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'jsonb_build_object(' || coalesce(
        (SELECT string_agg(quote_literal(d) || ', ' || quote_ident(d), ', ') FROM unnest(dimensions) d), ''
    ) || ')'
$$;

CREATE OR REPLACE FUNCTION vp_row_count_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scope text := vp_row_count_scope(TG_ARGV);
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO {COUNTS_TABLE} (table_name, scope, n) '
            'SELECT %L, s, count(*) FROM (SELECT %s AS s FROM vp_new_rows) r GROUP BY s',
            TG_TABLE_NAME, scope);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format(
            'INSERT INTO {COUNTS_TABLE} (table_name, scope, n) '
            'SELECT %L, s, -count(*) FROM (SELECT %s AS s FROM vp_old_rows) r GROUP BY s',
            TG_TABLE_NAME, scope);
    ELSIF array_length(TG_ARGV, 1) > 0 THEN  -- an UPDATE can only move rows between scopes
        EXECUTE format(
            'INSERT INTO {COUNTS_TABLE} (table_name, scope, n) '
            'SELECT %L, s, sum(d) FROM ('
            '  SELECT %s AS s, 1 AS d FROM vp_new_rows UNION ALL SELECT %s, -1 FROM vp_old_rows'
            ') r GROUP BY s HAVING sum(d) <> 0',
            TG_TABLE_NAME, scope, scope);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION vp_row_count_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {COUNTS_TABLE} WHERE table_name = TG_TABLE_NAME;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION vp_row_count_fold(name text) RETURNS void
LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM {COUNTS_TABLE} WHERE table_name = name RETURNING scope, n)
    INSERT INTO {COUNTS_TABLE} (table_name, scope, n)
    SELECT name, scope, sum(n) FROM gone GROUP BY scope HAVING sum(n) <> 0
$$;
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def maintain_sql(table: str, dimensions: tuple[str, ...]) -> list[str]:
    """Statements that start counting `table` by `dimensions` (its current rows included)."""
    args = ", ".join(_literal(d) for d in dimensions)
    scope = "jsonb_build_object(" + ", ".join(f"{_literal(d)}, {_quote(d)}" for d in dimensions) + ")"
    trigger = f"vp_row_count_{table}"[:55]
    statements = [*unmaintain_sql(table)]
    statements += [
        f"INSERT INTO {TABLES_TABLE} (table_name, dimensions) VALUES ({_literal(table)}, "
        f"ARRAY[{args}]::text[]) ON CONFLICT (table_name) DO UPDATE SET dimensions = excluded.dimensions",
        f"CREATE TRIGGER {trigger}_ins AFTER INSERT ON {_quote(table)} REFERENCING NEW TABLE AS vp_new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vp_row_count_change({args})",
        f"CREATE TRIGGER {trigger}_upd AFTER UPDATE ON {_quote(table)} "
        f"REFERENCING OLD TABLE AS vp_old_rows NEW TABLE AS vp_new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vp_row_count_change({args})",
        f"CREATE TRIGGER {trigger}_del AFTER DELETE ON {_quote(table)} REFERENCING OLD TABLE AS vp_old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vp_row_count_change({args})",
        f"CREATE TRIGGER {trigger}_trn AFTER TRUNCATE ON {_quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vp_row_count_truncate()",
        # After the triggers: CREATE TRIGGER holds a lock that keeps writers out until the commit,
        # so these rows are exactly the table's rows when counting starts.
        f"INSERT INTO {COUNTS_TABLE} (table_name, scope, n) SELECT {_literal(table)}, {scope}, count(*) "
        f"FROM {_quote(table)} GROUP BY 2",
    ]
    return statements


def unmaintain_sql(table: str) -> list[str]:
    trigger = f"vp_row_count_{table}"[:55]
    return [
        *(f"DROP TRIGGER IF EXISTS {trigger}_{kind} ON {_quote(table)}" for kind in ("ins", "upd", "del", "trn")),
        f"DELETE FROM {COUNTS_TABLE} WHERE table_name = {_literal(table)}",
        f"DELETE FROM {TABLES_TABLE} WHERE table_name = {_literal(table)}",
    ]


class InstallRowCounts(Operation):
    """Create the counter tables and trigger functions (PostgreSQL; nothing elsewhere)."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(INSTALL_SQL, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"DROP TABLE IF EXISTS {COUNTS_TABLE}; DROP TABLE IF EXISTS {TABLES_TABLE}; "
                "DROP FUNCTION IF EXISTS vp_row_count_change(); DROP FUNCTION IF EXISTS vp_row_count_truncate(); "
                "DROP FUNCTION IF EXISTS vp_row_count_fold(text); DROP FUNCTION IF EXISTS vp_row_count_scope(text[]);"
            )

    def describe(self):
        return "Install the maintained row counts"


class MaintainRowCount(Operation):
    """Count `model_name`'s rows per `dimensions` from now on (after InstallRowCounts).

    A new list to count is one operation in its app's migration:
    `MaintainRowCount("incident", ("status", "severity"))`."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, dimensions: tuple[str, ...] = ()):
        self.model_name = model_name
        self.dimensions = tuple(dimensions)

    def deconstruct(self):
        return self.__class__.__name__, [self.model_name, self.dimensions], {}

    def state_forwards(self, app_label, state):
        pass

    def _table_and_columns(self, app_label, state):
        model = state.apps.get_model(app_label, self.model_name)
        columns = []
        for name in self.dimensions:
            field = model._meta.get_field(name)
            if field.get_internal_type() not in _DIMENSION_TYPES:
                raise ValueError(f"{model.__name__}.{name}: a {field.get_internal_type()} cannot be a count dimension.")
            columns.append(field.column)
        return model._meta.db_table, tuple(columns)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, columns = self._table_and_columns(app_label, to_state)
        for statement in maintain_sql(table, columns):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table, _ = self._table_and_columns(app_label, from_state)
        for statement in unmaintain_sql(table):
            schema_editor.execute(statement)

    def describe(self):
        return f"Maintain the row count of {self.model_name} by {', '.join(self.dimensions) or 'nothing'}"


# --- reading -------------------------------------------------------------------------------------------
def declared_dimensions(model) -> tuple[str, ...] | None:
    """The columns `model` declares it is counted by (`COUNT_DIMENSIONS`, field names), or None."""
    names = getattr(model, "COUNT_DIMENSIONS", None)
    if names is None:
        return None
    return tuple(model._meta.get_field(name).column for name in names)


def counted_tables(connection) -> dict[str, tuple[str, ...]]:
    """{table: dimension columns} as the database counts them (the migrations' word)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLES_TABLE])
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute(f"SELECT table_name, dimensions FROM {TABLES_TABLE}")
        return {table: tuple(dims) for table, dims in cursor.fetchall()}


def _as_text(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    return None


def _column_values(node, base, dimensions) -> tuple[str, list[str]] | None:
    """(column, values as text) of an `=` or `IN` of plain values on a dimension of the base table."""
    if not isinstance(node, (Exact, In)) or not isinstance(node.lhs, Col) or node.lhs.alias != base:
        return None
    column = node.lhs.target.column
    if column not in dimensions or not node.rhs_is_direct_value():
        return None
    values = node.rhs if isinstance(node, In) else [node.rhs]
    if not isinstance(values, (list, tuple, set, frozenset)):
        return None
    texts = [_as_text(v) for v in values]
    return None if any(t is None for t in texts) else (column, texts)


def _scope_conditions(queryset, dimensions) -> list[tuple[str, list[str]]] | None:
    """[(column, allowed values as text)] when the queryset's rows are exactly those of a union of
    the counter's scopes; None when any condition is something else (then the count is not kept).

    Kept: no condition; `=` and `IN` on dimensions, joined by AND; an OR of such on one column
    (django-filter's multiple choice). DISTINCT (without fields) changes no count: the rows are
    the base table's, each with its own key."""
    query = queryset.query
    if query.distinct_fields or query.combinator or query.is_sliced or query.is_empty():
        return None
    base = query.base_table
    conditions = []
    pending = [query.where]
    while pending:
        node = pending.pop()
        if not isinstance(node, WhereNode):
            found = _column_values(node, base, dimensions)
            if found is None:
                return None
            conditions.append(found)
        elif node.negated:
            return None
        elif node.connector == AND or len(node.children) == 1:
            pending.extend(node.children)
        else:  # OR: only of values of one column
            found = [_column_values(child, base, dimensions) for child in node.children]
            if any(f is None for f in found) or len({column for column, _ in found}) != 1:
                return None
            conditions.append((found[0][0], [value for _, values in found for value in values]))
    return conditions


def maintained_count(queryset) -> int | None:
    """The exact count of `queryset` from the counter, or None when it is not one the counter keeps
    (another database, a model without `COUNT_DIMENSIONS`, a condition that is not an equality on
    them, or a database whose migrations do not count the table by those columns).

    One statement, no per-process state: it reads the table's dimensions as the database has them
    together with the sum, and the sum is used only if they cover the columns the conditions name."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    dimensions = declared_dimensions(queryset.model)
    if dimensions is None:
        return None
    conditions = _scope_conditions(queryset, dimensions)
    if conditions is None:
        return None
    table = queryset.model._meta.db_table
    sum_sql = f"SELECT COALESCE(SUM(n), 0) FROM {COUNTS_TABLE} WHERE table_name = %s"
    params: list = [table]
    for column, values in conditions:
        sum_sql += " AND scope ->> %s = ANY(%s)"
        params += [column, values]
    sql = f"SELECT t.dimensions, ({sum_sql}) FROM {TABLES_TABLE} t WHERE t.table_name = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, table])
        row = cursor.fetchone()
    if row is None or not {column for column, _ in conditions} <= set(row[0]):
        return None
    return int(row[1])


def fold(using: str = "default") -> int:
    """Fold every counted table's delta rows into one row per scope; answer the rows left."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    tables = counted_tables(connection)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT vp_row_count_fold(%s)", [table])
        cursor.execute(f"SELECT count(*) FROM {COUNTS_TABLE}")
        return cursor.fetchone()[0]
