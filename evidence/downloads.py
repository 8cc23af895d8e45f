"""Downloads: streamed from storage (never the whole file in memory), always an attachment, never
sniffed or rendered from our origin, under the name it was uploaded with."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from . import storage

CHUNK = 64 * 1024


def versions_of(evidence) -> list:
    """Every file the evidence has had, newest first: history rows where the file changed."""
    rows = (
        evidence.history.order_by("-history_date", "-history_id")
        .only("sha256", "file", "original_name", "size", "content_type", "uploaded_at", "uploaded_by_id", "history_id")
        .select_related("uploaded_by")
    )
    seen, versions = set(), []
    for row in rows:
        key = (row.sha256, row.uploaded_at)
        if row.sha256 and key not in seen:
            seen.add(key)
            versions.append(row)
    return versions


def _stream_s3(store, name):
    obj = store.bucket.Object(store._normalize_name(name))
    body = obj.get()["Body"]
    return body.iter_chunks(CHUNK)


def download_response(evidence, sha256: str | None = None):
    """The current file, or the version with `sha256` (LookupError when it never had it)."""
    if sha256 and sha256 != evidence.sha256:
        version = next((v for v in versions_of(evidence) if v.sha256 == sha256), None)
        if version is None:
            raise LookupError(sha256)
        name, original, content_type, size = version.file, version.original_name, version.content_type, version.size
    else:
        name, original, content_type, size = evidence.file, evidence.original_name, evidence.content_type, evidence.size
    return stored_file_response(name, original, content_type, size)


def stored_file_response(name: str, filename: str, content_type: str, size: int):
    """The stored file `name`, streamed, as an attachment called `filename` (never rendered)."""
    store = storage.evidence_storage()
    if hasattr(store, "bucket"):  # S3-compatible: stream the object's body in chunks
        response = StreamingHttpResponse(_stream_s3(store, name), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        response = FileResponse(store.open(name, "rb"), content_type=content_type)
        response.block_size = CHUNK
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
