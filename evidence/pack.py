"""The evidence pack for an auditor: one ZIP with `index.csv` (what each file is, what it is attached
to, its hash) and the files themselves under `files/<id>-<original name>`. Built in a temporary
file that spills to disk past 8 MB, so a large pack never sits in memory; files are copied from
storage in chunks. A selection larger than EVIDENCE_PACK_INLINE_MB is built by a Celery worker
instead (evidence.jobs), which writes the same ZIP with `write`."""

import csv
import io
import tempfile
import zipfile

from django.conf import settings
from django.db.models import Count, Sum
from django.http import FileResponse

from . import storage
from .querysets import is_current
from .registry import content_type_ids

INDEX_COLUMNS = (
    "id",
    "title",
    "kind",
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "uploaded_by",
    "uploaded_at",
    "valid_until",
    "current",
    "attached_to",
)


def _attached(evidence_list) -> dict:
    from .models import EvidenceLink

    names = {type_id: name for name, type_id in content_type_ids().items()}
    result = {e.pk: [] for e in evidence_list}
    for evidence_id, type_id, object_id in EvidenceLink.objects.filter(evidence__in=list(result)).values_list(
        "evidence_id", "content_type_id", "object_id"
    ):
        result[evidence_id].append(f"{names.get(type_id, 'record')}:{object_id}")
    return result


def write(evidence_list: list, target, progress=None) -> None:
    """Write the pack of `evidence_list` into the binary file `target`; `progress(done, total)` is
    called after each file."""
    attached = _attached(evidence_list)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        index = io.StringIO()
        writer = csv.writer(index)
        writer.writerow(INDEX_COLUMNS)
        for done, evidence in enumerate(evidence_list, 1):
            path = f"files/{evidence.pk}-{evidence.original_name}"
            writer.writerow(
                [
                    evidence.pk,
                    evidence.title,
                    evidence.kind,
                    path,
                    evidence.original_name,
                    evidence.content_type,
                    evidence.size,
                    evidence.sha256,
                    evidence.uploaded_by or "",
                    evidence.uploaded_at.isoformat(),
                    evidence.valid_until or "",
                    "yes" if is_current(evidence) else "no",
                    " ".join(sorted(attached[evidence.pk])),
                ]
            )
            with storage.open_stored(evidence.file) as source, archive.open(path, "w", force_zip64=True) as target_file:
                while chunk := source.read(64 * 1024):
                    target_file.write(chunk)
            if progress is not None:
                progress(done, len(evidence_list))
        archive.writestr("index.csv", index.getvalue())


def rows(evidence_queryset) -> list:
    return list(evidence_queryset.select_related("uploaded_by").order_by("pk"))


def inline_limit() -> int:
    """Packs of more bytes than this are built in the background (evidence.jobs), not in the request."""
    return int(settings.EVIDENCE_PACK_INLINE_MB * 1024 * 1024)


def totals(evidence_queryset) -> tuple[int, int]:
    """(files, bytes) of the selection, one query."""
    figures = evidence_queryset.order_by().aggregate(files=Count("pk"), size=Sum("size"))
    return figures["files"], figures["size"] or 0


def build(evidence_queryset, name: str = "evidence-pack") -> FileResponse:
    """The pack as the answer to this request (small selections: see inline_limit)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    write(rows(evidence_queryset), spool)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response
