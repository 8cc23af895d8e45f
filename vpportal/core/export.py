"""CSV and XLSX export of a filtered list: the rows the user sees, all pages (CSV streamed). Every
cell goes through the formula-injection guard (cell_guard)."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .cell_guard import guarded_row, xlsx_row
from .display import cell_text


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
