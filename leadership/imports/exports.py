"""Export of the importable kinds in their import format (choices by label, relations by natural
key), so a file exported here, from the import page or from a list, imports back unchanged."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from vpportal.core.cell_guard import guarded_row
from vpportal.core.display import cell_text
from vpportal.core.export import file_header

from .kinds import KINDS
from .tables import CSV_TYPE, XLSX_TYPE, xlsx_bytes


def export_rows(kind_slug: str, queryset=None) -> tuple[list[str], list[list]]:
    kind = KINDS[kind_slug]
    queryset = kind.queryset() if queryset is None else queryset
    return list(kind.columns), [kind.export_row(obj) for obj in queryset.iterator(chunk_size=2000)]


class _Echo:
    def write(self, value):
        return value


def export_response(kind_slug: str, fmt: str, queryset=None, filename: str | None = None) -> HttpResponse:
    """The file with readable headers ("Owner email"), which the importer maps back to its columns;
    the CSV is streamed a line at a time (a file of every measurement is large)."""
    kind = KINDS[kind_slug]
    queryset = kind.queryset() if queryset is None else queryset
    rows = (kind.export_row(obj) for obj in queryset.iterator(chunk_size=2000))
    return table_response([file_header(c) for c in kind.columns], rows, fmt, filename or kind_slug, title=kind_slug)


def list_export(kind_slug: str):
    """The export of a list page (vpportal.core.export.FILE_EXPORTS): the list's filtered rows in
    the list's order, in the import format, then what the list derives (a KPI's status, a risk's
    scores) as read-only columns after them, which an import ignores."""
    kind = KINDS[kind_slug]
    stored = {name for name, _ in kind.spec.files}
    derived = [(path, label) for path, label in kind.spec.export_columns() if path.split(".")[0] not in stored]

    def respond(queryset, fmt: str, filename: str) -> HttpResponse:
        columns = [file_header(c) for c in kind.columns] + [f"{label} (read-only)" for _, label in derived]

        def rows():
            for obj in queryset.iterator(chunk_size=2000):
                yield kind.export_row(obj) + [cell_text(obj, path) for path, _ in derived]

        return table_response(columns, rows(), fmt, filename, title=kind_slug)

    return respond


def table_response(columns, rows, fmt: str, filename: str, *, title: str) -> HttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(columns, rows, title), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(_lines(writer, columns, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response


def _lines(writer, columns, rows):
    yield writer.writerow(guarded_row(columns))
    for row in rows:
        yield writer.writerow(guarded_row(row))
