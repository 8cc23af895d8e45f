"""CSV export of a filtered list: the rows the user sees, all pages, streamed."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

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
            yield writer.writerow([cell_text(obj, path) for path, _ in columns])

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


def _prefetches(queryset) -> bool:
    return bool(queryset._prefetch_related_lookups)
