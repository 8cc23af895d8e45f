"""Writes on evidence: pages, admin and API all call these. Uploading needs write access to at least
one of the records chosen; changing, replacing or deleting needs write access to one of the records
it is attached to (vpportal.permissions.writes_an_attached_record). A file is checked by its bytes
(evidence.files) before anything is stored, stored under its SHA-256 (evidence.storage), and a
file written by a write that then fails is removed again: no partial file stays."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from evidence import files, registry, storage
from evidence.models import Evidence, EvidenceLink
from vpportal.core.services import ConflictError, delete_record, require, save_changes, save_new
from vpportal.events.outbox import record_event
from vpportal.people.models import Person

MSG_NO_RECORD = "Attach the evidence to at least one record (an AI system, a risk, a requirement, ...)."
MSG_NO_WRITE = "You may attach evidence only to records you may change; you may change none of these."
MSG_FILE_REQUIRED = "Choose a file to upload."
FILE_FIELDS = ("file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")


def link_names() -> list[str]:
    return [kind.name for kind in registry.attachables()]


def split_links(data: dict) -> tuple[dict, dict | None]:
    """(plain fields, {link name: [records]} or None when no link field was given)."""
    names = set(link_names())
    plain = {k: v for k, v in data.items() if k not in names}
    links = {k: list(v or ()) for k, v in data.items() if k in names}
    return plain, (links if links else None)


def current_links(evidence) -> dict[str, list]:
    """{link name: [records]} of the evidence, one query per kind attached."""
    by_type = {}
    for link in evidence.links.all():
        by_type.setdefault(link.content_type_id, []).append(link.object_id)
    result = {}
    type_ids = registry.content_type_ids()
    for kind in registry.attachables():
        ids = by_type.get(type_ids[kind.name])
        result[kind.name] = list(kind.model._base_manager.filter(pk__in=ids)) if ids else []
    return result


def _check_links(by, links: dict) -> None:
    """At least one record, and `by` may change at least one of the records the evidence will be
    attached to (PRODUCT.md: write access to one of them; the others it evidences may be records
    `by` only reads, such as a framework's requirements)."""
    chosen = [(registry.by_name(name), record) for name, records in links.items() for record in records]
    if not chosen:
        raise ValidationError({"__all__": MSG_NO_RECORD})
    if not any(kind.writable_by(by, record) for kind, record in chosen):
        raise ValidationError({"__all__": MSG_NO_WRITE})


def _write_links(evidence, by, links: dict) -> None:
    """Make the evidence's links exactly `links`; each attach and detach is a history row."""
    type_ids = registry.content_type_ids()
    wanted = {(type_ids[name], record.pk) for name, records in links.items() for record in records}
    existing = {(link.content_type_id, link.object_id): link for link in evidence.links.all()}
    for key, link in existing.items():
        if key not in wanted:
            link._history_user = by
            link.delete()
    for content_type_id, object_id in sorted(wanted - set(existing)):
        link = EvidenceLink(evidence=evidence, content_type_id=content_type_id, object_id=object_id)
        link._history_user = by
        link.save()


def _person_of(user):
    return Person.objects.of_user(user) if user is not None and user.is_authenticated else None


def check_file(upload) -> files.Inspected:
    """What the upload is, read from its bytes; a ValidationError on `file` when it is refused."""
    if upload is None:
        raise ValidationError({"file": MSG_FILE_REQUIRED})
    try:
        return files.inspect(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages})


def _file_fields(upload, by) -> tuple[dict, bool]:
    """Check the upload and store it: (the evidence's file fields, whether this call wrote it)."""
    info = check_file(upload)
    name, written = storage.store(upload, info.sha256)
    return {
        "file": name,
        "original_name": info.original_name,
        "content_type": info.content_type,
        "size": info.size,
        "sha256": info.sha256,
        "uploaded_by": _person_of(by),
        "uploaded_at": timezone.now(),
    }, written


def _delete_unreferenced(name: str) -> None:
    from evidence.retention import referenced

    if not referenced(name):
        storage.delete_stored(name)


@contextmanager
def _with_new_file(evidence: Evidence, upload, by):
    """Store the checked upload and put its fields on `evidence`; the block saves the record, in
    one transaction. Should the block fail, the file stored for it goes again (unless another
    record refers to the same content)."""
    fields, written = _file_fields(upload, by)
    for name, value in fields.items():
        setattr(evidence, name, value)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        if written:
            _delete_unreferenced(fields["file"])
        raise


def _unsaved(by, data: dict) -> tuple[Evidence, dict]:
    """The new evidence (not saved) and its links, every rule but the file's checked."""
    require(by, "add", Evidence)
    plain, links = split_links(data)
    plain.pop("file", None)
    _check_links(by, links or {})
    evidence = Evidence(**{k: v for k, v in plain.items() if k not in FILE_FIELDS})
    evidence.full_clean(exclude=[*FILE_FIELDS])  # field errors before the file is stored
    return evidence, links


def check_new(*, by, data: dict, upload=None) -> None:
    """Everything evidence_create checks before it stores a byte, without writing anything: a form
    that must show field errors before it saves (the admin's) asks this, then evidence_create."""
    errors = {}
    for check in (lambda: _unsaved(by, data), lambda: check_file(upload if upload is not None else data.get("file"))):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def evidence_create(*, by, data: dict, upload=None) -> Evidence:
    upload = upload if upload is not None else data.get("file")
    evidence, links = _unsaved(by, data)
    with _with_new_file(evidence, upload, by):
        save_new(evidence, by=by, event=None)
        _write_links(evidence, by, links)
        record_event(evidence, "created", by=by)
    return evidence


@transaction.atomic
def evidence_update(evidence: Evidence, *, by, data: dict, version: int | None = None) -> Evidence:
    """Title, kind, description, valid until and the records it is attached to."""
    require(by, "change", evidence)
    plain, links = split_links(data)
    refused = set(plain) & set(FILE_FIELDS)
    if refused:
        raise ValidationError(dict.fromkeys(refused, "Upload a new file to change it."))
    for name, value in plain.items():
        setattr(evidence, name, value)
    if links is not None:
        previous = current_links(evidence)
        merged = {**previous, **links}
        _check_links(by, merged)
    save_changes(evidence, by=by, version=version, fields=plain.keys())
    if links is not None:
        _write_links(evidence, by, merged)
    return evidence


def evidence_replace_file(evidence: Evidence, *, by, upload, version: int | None = None) -> Evidence:
    """A new version of the file: the record now points at it; its history keeps the earlier file
    (name, hash, size, who and when), which stays downloadable."""
    require(by, "change", evidence)
    with _with_new_file(evidence, upload, by):
        save_changes(evidence, by=by, version=version, fields=FILE_FIELDS, event="evidence.file_replaced")
    return evidence


@transaction.atomic
def evidence_delete(evidence: Evidence, *, by, version: int | None = None) -> None:
    """The record goes; its files stay until the retention job (EVIDENCE_RETENTION_DAYS)."""
    require(by, "delete", evidence)
    if version is not None and int(version) != evidence.version:
        raise ConflictError(current_version=evidence.version)
    delete_record(evidence, by=by, version=version)


def may_change(user, evidence) -> bool:
    return user.has_perm("evidence.change_evidence", evidence)


def refuse_unless_reader(user, evidence) -> None:
    if not Evidence.objects.visible_to(user).filter(pk=evidence.pk).exists():
        raise PermissionDenied
