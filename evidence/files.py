"""What an uploaded file really is, read from its bytes (`filetype` for the binary formats, the zip
directory for Office files, a UTF-8 read for text), checked against the types PRODUCT.md accepts
and against the file's own extension. Every refusal names the type found and the types accepted."""

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# extension -> (content type, what people call it)
ACCEPTED = {
    "pdf": ("application/pdf", "PDF"),
    "png": ("image/png", "PNG image"),
    "jpg": ("image/jpeg", "JPEG image"),
    "jpeg": ("image/jpeg", "JPEG image"),
    "csv": ("text/csv", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook (XLSX)"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document (DOCX)"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint (PPTX)"),
    "txt": ("text/plain", "plain text"),
    "md": ("text/markdown", "Markdown"),
    "json": ("application/json", "JSON"),
}
ACCEPTED_LABEL = "PDF, PNG, JPEG, CSV, XLSX, DOCX, PPTX, plain text, Markdown or JSON"
TEXT_EXTENSIONS = ("txt", "md", "csv", "json")
OFFICE_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
# Labels for what we refuse, by the content type filetype reports (others show the type itself).
REFUSED_LABELS = {
    "application/zip": "a ZIP archive",
    "application/x-executable": "an executable program",
    "application/x-msdownload": "a Windows program",
    "application/x-mach-binary": "a macOS program",
    "application/x-sh": "a shell script",
    "application/gzip": "a gzip archive",
    "application/x-tar": "a tar archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/x-rar-compressed": "a RAR archive",
    "image/gif": "a GIF image",
    "image/svg+xml": "an SVG image",
    "text/html": "an HTML page",
}
MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|svg|script|body|iframe|\?xml)", re.IGNORECASE)
MSG_EMPTY = "The file is empty."
MSG_NO_NAME = "The file has no usable name."
MSG_MACROS = "The document contains macros (vbaProject.bin): save it without macros (as .docx, .xlsx or .pptx)."
MSG_BOMB = "The document unpacks to far more than its size (a possible zip bomb): it is refused."
MSG_BROKEN_ZIP = "The file looks like an Office document but cannot be opened (a damaged ZIP container)."


@dataclass(frozen=True)
class Inspected:
    original_name: str
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """The file's own name without any folder, control characters or surrounding blanks: it is
    kept to answer downloads with, never used to store the file."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _refuse(found: str):
    raise ValidationError(f"This file is {found}; accepted are {ACCEPTED_LABEL}.", code="type")


def _check_office(file, extension: str) -> str:
    """The Office type of a ZIP container (docx, xlsx, pptx), refusing macros and zip bombs."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(MSG_BROKEN_ZIP, code="type")
    names = {entry.filename for entry in entries}
    office = next((kind for part, kind in OFFICE_PARTS.items() if part in names), None)
    if office is None:
        _refuse(REFUSED_LABELS["application/zip"])
    if any(name.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
        raise ValidationError(MSG_MACROS, code="macros")
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(sum(entry.compress_size for entry in entries), 1)
    if (
        len(entries) > settings.EVIDENCE_ZIP_MAX_ENTRIES
        or unpacked > settings.EVIDENCE_ZIP_MAX_UNPACKED_MB * 1024 * 1024
        or unpacked / packed > settings.EVIDENCE_ZIP_MAX_RATIO
    ):
        raise ValidationError(MSG_BOMB, code="zip_bomb")
    return office


def _check_text(file) -> str:
    """UTF-8 text without NUL bytes, and not markup a browser would run (HTML, SVG, XML)."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    while chunk := file.read(64 * 1024):
        if b"\x00" in chunk:
            _refuse("binary data of an unrecognised type")
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            _refuse("binary data of an unrecognised type")
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse("binary data of an unrecognised type")
    match = MARKUP.search(head)
    if match:
        tag = match.group(1).lower()
        _refuse("an SVG image" if tag == b"svg" else "an XML document" if tag == b"?xml" else "an HTML page")
    return "text"


def detect(file, extension: str) -> str:
    """The extension family the bytes really are: an ACCEPTED key ("jpg" for JPEG), or "text"."""
    file.seek(0)
    head = file.read(8192)
    kind = filetype.guess(head)
    if kind is None:
        return _check_text(file)
    if kind.mime == "application/pdf":
        return "pdf"
    if kind.mime == "image/png":
        return "png"
    if kind.mime == "image/jpeg":
        return "jpg"
    if kind.mime in ("application/zip",) or head.startswith(b"PK\x03\x04") or kind.extension in OFFICE_PARTS.values():
        return _check_office(file, extension)
    _refuse(REFUSED_LABELS.get(kind.mime, f"of type {kind.mime}"))


def inspect(uploaded) -> Inspected:
    """Check an uploaded file (Django UploadedFile) and describe it; ValidationError otherwise."""
    name = clean_name(getattr(uploaded, "name", ""))
    if not name:
        raise ValidationError(MSG_NO_NAME, code="name")
    if not uploaded.size:
        raise ValidationError(MSG_EMPTY, code="empty")
    limit = int(settings.EVIDENCE_MAX_MB * 1024 * 1024)
    if uploaded.size > limit:
        raise ValidationError(f"The file is larger than the limit of {settings.EVIDENCE_MAX_MB:g} MB.", code="size")
    extension = extension_of(name)
    found = detect(uploaded, extension)
    if extension not in ACCEPTED:
        shown = f"“.{extension}”" if extension else "no extension"
        what = "text" if found == "text" else ACCEPTED[found][1]
        raise ValidationError(
            f"Files with {shown} are not accepted (this one is {what}); accepted are {ACCEPTED_LABEL}.",
            code="extension",
        )
    if found == "text":
        if extension not in TEXT_EXTENSIONS:
            raise ValidationError(
                f"The file's content is text but its name ends in “.{extension}” ({ACCEPTED[extension][1]}).",
                code="mismatch",
            )
        if extension == "json" and not _looks_like_json(uploaded):
            raise ValidationError("The file's name ends in “.json” but its content is not JSON.", code="mismatch")
        content_type = ACCEPTED[extension][0]
    else:
        if ACCEPTED[found][0] != ACCEPTED[extension][0]:
            raise ValidationError(
                f"The file's content is {ACCEPTED[found][1]} but its name ends in “.{extension}” "
                f"({ACCEPTED[extension][1]}).",
                code="mismatch",
            )
        content_type = ACCEPTED[found][0]
    sha256 = getattr(uploaded, "sha256", None) or _hash(uploaded)
    uploaded.seek(0)
    return Inspected(original_name=name, content_type=content_type, size=uploaded.size, sha256=sha256)


def _looks_like_json(file) -> bool:
    file.seek(0)
    start = file.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"{", b"[")


def _hash(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()
