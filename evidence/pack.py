"""The evidence pack for an auditor: one ZIP with `index.csv` (what each file is, what it is attached
to, its hash) and the files themselves under `files/<id>-<original name>`. Built in a temporary
file that spills to disk past 8 MB, so a large pack never sits in memory; files are copied from
storage in chunks."""

import csv
import io
import tempfile
import zipfile

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


def build(evidence_queryset, name: str = "evidence-pack") -> FileResponse:
    evidence_list = list(evidence_queryset.select_related("uploaded_by").order_by("pk"))
    attached = _attached(evidence_list)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        index = io.StringIO()
        writer = csv.writer(index)
        writer.writerow(INDEX_COLUMNS)
        for evidence in evidence_list:
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
            with storage.open_stored(evidence.file) as source, archive.open(path, "w", force_zip64=True) as target:
                while chunk := source.read(64 * 1024):
                    target.write(chunk)
        archive.writestr("index.csv", index.getvalue())
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response
