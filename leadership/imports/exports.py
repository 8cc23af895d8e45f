"""Export of the importable kinds in their import format (stored values, natural keys), so a file
exported here imports back unchanged, and the generic XLSX writer of list pages."""

from django.http import HttpResponse
from django.utils import timezone

from .kinds import KINDS
from .tables import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes


def export_rows(kind_slug: str, queryset=None) -> tuple[list[str], list[list]]:
    kind = KINDS[kind_slug]
    queryset = kind.queryset() if queryset is None else queryset
    return list(kind.columns), [kind.export_row(obj) for obj in queryset.iterator(chunk_size=2000)]


def export_response(kind_slug: str, fmt: str, queryset=None) -> HttpResponse:
    columns, rows = export_rows(kind_slug, queryset)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(columns, rows, kind_slug), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(csv_bytes(columns, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind_slug}-{stamp}.{fmt}"'
    return response
