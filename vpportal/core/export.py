"""CSV and XLSX export of a filtered list: the rows the user sees, all pages (CSV streamed). Every
cell goes through the formula-injection guard (cell_guard)."""

import csv
import io
import re
from collections.abc import Callable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst, slugify

from .cell_guard import guarded_row, xlsx_row
from .display import cell_text

# Lists whose export is their import file: {model: respond(queryset, fmt, filename) -> response}.
# The importer (top floor) registers each importable model here when it is ready, so the list page
# (foundation) writes the file the import reads back without importing the importer.
FILE_EXPORTS: dict[type, Callable] = {}


def register_file_export(model, respond: Callable) -> None:
    FILE_EXPORTS[model] = respond


def file_header(column: str) -> str:
    """A file column as its header reads ("owner_email" -> "Owner email"); header_column() reads it back."""
    return str(capfirst(column.replace("_", " ")))


def header_column(header: str) -> str:
    """The column a header names: "Owner email", "owner_email" and "Owner-Email" are one column."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def export_filename(base: str, filterset=None) -> str:
    """What the file holds: the list's name and the filters applied ("risks-status-identified-assessed")."""
    parts = [str(base)]
    data = getattr(filterset, "form", None) and filterset.form.cleaned_data if filterset is not None else {}
    for name, value in (data or {}).items():
        if name in ("ordering",) or value in (None, "", [], ()):
            continue
        if isinstance(value, slice):
            value = [value.start, value.stop]
        values = value if isinstance(value, list | tuple) else [value]
        text = "-".join(
            str(v.date() if hasattr(v, "date") and callable(v.date) else v) for v in values if v is not None
        )
        if text:
            parts.append(f"{name}-{text}")
    return slugify("-".join(parts))[:120].strip("-") or base


class _Echo:
    def write(self, value):
        return value


def csv_response(queryset, columns, filename: str) -> StreamingHttpResponse:
    """`columns` is a list of (path, label) pairs, the same ones the list page shows."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([label for _, label in columns])
        for obj in queryset.iterator(chunk_size=2000) if not _prefetches(queryset) else queryset:
            yield writer.writerow(guarded_row(cell_text(obj, path) for path, _ in columns))

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def _prefetches(queryset) -> bool:
    return bool(queryset._prefetch_related_lookups)


def xlsx_response(queryset, columns, filename: str) -> HttpResponse:
    """The same rows and cells as the CSV, as a spreadsheet (write-only mode keeps memory flat)."""
    from openpyxl import Workbook  # only exports need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=filename[:31] or "export")
    sheet.append(xlsx_row(sheet, [label for _, label in columns]))
    for obj in queryset.iterator(chunk_size=2000) if not _prefetches(queryset) else queryset:
        sheet.append(xlsx_row(sheet, [cell_text(obj, path) for path, _ in columns]))
    out = io.BytesIO()
    book.save(out)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response
