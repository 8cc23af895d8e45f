"""The upload path of evidence: a streaming upload handler that hashes and counts while the bytes
arrive (into a temporary file, never into memory) and stops taking the file at EVIDENCE_MAX_MB,
before the rest is read. Pages and API install it on their request before the body is parsed."""

import functools
import hashlib

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

TOO_LARGE = "too_large"


def max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_MB * 1024 * 1024)


def msg_too_large() -> str:
    return f"The file is larger than the limit of {settings.EVIDENCE_MAX_MB:g} MB."


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Files go to a temporary file chunk by chunk, with their SHA-256 and size computed on the
    way; a file over the cap is dropped as soon as it passes it (`request.evidence_refused`)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_bytes()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.close()  # the temporary file is removed with it
            if self.request is not None:
                self.request.evidence_refused = TOO_LARGE
            raise SkipFile()
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.digest.hexdigest()
        return uploaded


def install(request) -> None:
    """Use the evidence handler for this request (call before request.POST / FILES is read)."""
    request.upload_handlers = [EvidenceUploadHandler(request)]


def streamed(view):
    """`view` with its POST bodies read through the evidence handler: installed before the CSRF
    check (which reads the form, and so the body), which then runs as usual inside. The pages'
    upload views and the admin's add and change views are wrapped in it."""
    protected = csrf_protect(view)

    @functools.wraps(view)  # keeps view_class: the permission matrix reads a page's decision from it
    def with_upload_handler(request, *args, **kwargs):
        if request.method == "POST":
            install(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(with_upload_handler)


def declared_too_large(request) -> bool:
    """A body whose declared length is already over the cap (plus room for the other fields) is
    refused before a byte of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + 1024 * 1024
