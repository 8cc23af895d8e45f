"""Run an import: every row through its kind's services, all or nothing.

`preview=True` runs exactly the same writes (the same services, validation and permission checks)
inside a transaction that is then rolled back, so the preview's row errors are the real ones and
nothing is written. A real run with any row error is rolled back too: all or nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from initiatives.services.portfolio import _storable as storable_text
from vpportal.core.services import ConflictError, TransitionError

from .kinds import KINDS, RowError

# Columns a file of each kind must have (the others are optional and default like the forms do).
REQUIRED = {
    "people": ("email", "name"),
    "initiatives": ("title", "owner_email"),
    "ai-systems": ("name",),
    "kpis": ("name",),
    "kpi-measurements": ("kpi_name", "observed_at", "value"),
    "risks": ("title", "category", "likelihood", "impact"),
    "vendors": ("name",),
    "incidents": ("title", "severity", "occurred_at", "detected_at"),
}


MSG_UNSTORABLE = "Contains a character that cannot be stored (a NUL byte or a lone surrogate): remove it."


def _unstorable_cells(row: dict) -> dict:
    """The row's cells no database column takes (PostgreSQL refuses NUL): errors, not a 500."""
    return {column: [MSG_UNSTORABLE] for column, value in row.items() if value and not storable_text(value)}


@dataclass
class RowResult:
    line: int  # the spreadsheet's row number (the header is line 1)
    action: str  # create | update | unchanged | error
    label: str = ""
    errors: dict = field(default_factory=dict)


@dataclass
class Report:
    kind: str
    rows: list[RowResult] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing_columns

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def summary(self) -> dict:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}


def _messages(error) -> dict:
    if isinstance(error, RowError):
        return error.errors
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {("row" if k == "__all__" else k): [str(m) for m in v] for k, v in error.message_dict.items()}
    if isinstance(error, ValidationError):
        return {"row": [str(m) for m in error.messages]}
    if isinstance(error, ConflictError | TransitionError):
        return {"row": [error.message, *getattr(error, "details", [])]}
    return {"row": [str(error) or "Not allowed."]}


def _columns(kind, errors: dict) -> dict:
    """Name service errors by the file's column (`owner` is the `owner_email` column)."""
    named = {}
    for name, problems in errors.items():
        column = next((c for c in (name, f"{name}_email", f"{name}_key", f"{name}_name") if c in kind.columns), name)
        named.setdefault(column, []).extend(problems)
    return named


def run_import(kind_slug: str, rows: list[dict], *, by, preview: bool) -> Report:
    kind = KINDS[kind_slug]
    report = Report(kind=kind_slug)
    present = set(rows[0]) if rows else set()
    report.missing_columns = [c for c in REQUIRED[kind_slug] if c not in present] if rows else []
    if report.missing_columns:
        return report
    cache = {"file_emails": {(r.get("email") or "").strip().lower() for r in rows}} if kind_slug == "people" else {}
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            result = RowResult(line=index, action="error")
            try:
                # Each row in its own savepoint: a refused row leaves the others' writes usable
                # for the rest of the preview (a later row may refer to an earlier one).
                with transaction.atomic():
                    if unstorable := _unstorable_cells(row):
                        raise RowError(unstorable)
                    existing, data = kind.parse(row, cache)
                    if existing is None:
                        obj, result.action = kind.create(data, by=by, row=row, cache=cache), "create"
                    elif kind.is_unchanged(existing, data):
                        obj, result.action = existing, "unchanged"
                    else:
                        obj, result.action = kind.update(existing, data, by=by), "update"
                    result.label = str(obj)
            except (RowError, ValidationError, ConflictError, TransitionError, PermissionDenied) as error:
                result.action, result.errors = "error", _columns(kind, _messages(error))
            report.rows.append(result)
        if report.ok:
            try:
                with transaction.atomic():
                    kind.finish(by=by, cache=cache)
            except (ValidationError, ConflictError, PermissionDenied) as error:
                report.rows.append(RowResult(line=0, action="error", errors=_messages(error)))
        if preview or not report.ok:
            transaction.set_rollback(True)
        else:
            _reset_sequences(kind.model)
            report.written = True
    return report


def _reset_sequences(model):
    """Records created with the primary key their key names (INI-0007 is id 7) can leave
    PostgreSQL's sequence behind the largest id: move it forward past them (never back, so ids of
    deleted records are not handed out again). SQLite needs nothing."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        largest = cursor.fetchone()[0]
        # A sequence name from PostgreSQL itself, already quoted where needed.
        cursor.execute(f"SELECT last_value FROM {sequence}")
        if largest is not None and largest > cursor.fetchone()[0]:
            cursor.execute("SELECT setval(%s, %s)", [sequence, largest])
