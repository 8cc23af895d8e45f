"""Generic write services for tracked records: permission check, validation, optimistic concurrency
and history attribution in one place. Model-specific services wrap these and add their rules."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F

from vpportal.events.outbox import record_event, represent
from vpportal.permissions import perm_name

MSG_STALE = (
    "Someone else changed this record since you opened it. Review the current values below; "
    "saving again will keep your changes."
)


class ConflictError(Exception):
    """A write carried a version older than the stored one: nothing was written."""

    def __init__(self, message=MSG_STALE, current_version=None):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


@dataclass(frozen=True)
class Writes:
    """The services that write one model, named once (next to them, in its services module): pages,
    admin and API declare `writes = X_WRITES` and so call the same functions. A channel's own
    `create_service` / `update_service` / `delete_service`, where it sets one, comes first."""

    create: Callable | None = None  # create(by=, data=)
    update: Callable | None = None  # update(obj, by=, data=, version=)
    delete: Callable | None = None  # delete(obj, by=, version=)


def channel_service(channel: type, kind: str):
    """The `kind` ("create", "update", "delete") service a page, admin or API class uses."""
    own = getattr(channel, f"{kind}_service", None)
    if own is not None:
        return own
    writes = getattr(channel, "writes", None)
    return getattr(writes, kind, None) if writes is not None else None


class TransitionError(Exception):
    """A workflow move is not allowed now (wrong state, separation of duties, failed gate)."""

    def __init__(self, message, details=None):
        super().__init__(message)
        self.message = message
        self.details = details or []


def require(user, action: str, model_or_obj, message: str | None = None):
    """Raise PermissionDenied unless `user` may do `action` on the model (class) or record."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    obj = None if isinstance(model_or_obj, type) else model_or_obj
    if not user.has_perm(perm_name(model, action), obj):
        raise PermissionDenied(message or f"You may not {action} {model._meta.verbose_name_plural}.")


def _stamp(instance, by):
    instance._history_user = by
    if by is not None and getattr(by, "is_authenticated", False):
        instance.updated_by = by
        if instance.pk is None:
            instance.created_by = by


def _split_m2m(model, data: dict):
    m2m_names = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


@transaction.atomic
def save_new(
    instance,
    *,
    by,
    m2m: dict | None = None,
    exclude_clean: Iterable[str] = (),
    event: str | None = "created",
    extra: dict | None = None,
    key_format: str | None = None,
):
    """Validate and insert a record built by a service, recording `by` as author and the event
    (`<model>.created` or the named `event`, with `extra` details) in the same transaction.
    `event=None`: the caller completes the record first and records it.

    `key_format` (`RISK-{:04d}`): the record's `key` derives from the primary key the database just
    gave, so two concurrent creates can never get the same key (no lock, no retry); the creation
    entry in history shows the key too."""
    _stamp(instance, by)
    instance.full_clean(exclude=list(exclude_clean) or None)
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    if key_format is not None:
        instance.key = key_format.format(instance.pk)
        type(instance)._default_manager.filter(pk=instance.pk).update(key=instance.key)
        instance.history.filter(history_type="+").update(key=instance.key)
    if event is not None:
        record_event(instance, event, by=by, extra=extra)
    return instance


@transaction.atomic
def save_changes(
    instance,
    *,
    by,
    version: int | None,
    fields: Iterable[str],
    m2m: dict | None = None,
    event: str = "updated",
    extra: dict | None = None,
):
    """Validate and write changed `fields` of `instance` if `version` is still the stored one, and
    record its event (`<model>.updated`, or a workflow action's named `event` with `extra` details
    such as from/to) in the same transaction.

    The conditional UPDATE both checks and bumps the version in one statement, so two concurrent
    writers can never both pass: the second one matches no row and gets a ConflictError.
    """
    expected = instance.version if version is None else int(version)
    _stamp(instance, by)
    instance.full_clean()
    model = type(instance)
    bumped = model._base_manager.filter(pk=instance.pk, version=expected).update(version=F("version") + 1)
    if not bumped:
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConflictError(current_version=current)
    instance.version = expected + 1
    update_fields = set(fields) | {"updated_at", "updated_by", "version"}
    update_fields -= {f.name for f in model._meta.many_to_many}
    instance.save(update_fields=sorted(update_fields))
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    record_event(instance, event, by=by, extra=extra)
    return instance


def create_record(model: type[models.Model], *, by, data: dict, check=None):
    """The default create service: permission, validation, history. `check(record)`, where given,
    is a rule over several fields: it sees the record with its values and may refuse it
    (ValidationError) before anything is written."""
    require(by, "add", model)
    plain, m2m = _split_m2m(model, data)
    instance = model(**plain)
    if check is not None:
        check(instance)
    return save_new(instance, by=by, m2m=m2m)


def update_record(instance, *, by, data: dict, version: int | None = None, check=None):
    """The default update service: permission on the record, only the given fields, version check;
    `check` as for create_record, on the record with its new values."""
    require(by, "change", instance)
    plain, m2m = _split_m2m(type(instance), data)
    for name, value in plain.items():
        setattr(instance, name, value)
    if check is not None:
        check(instance)
    return save_changes(instance, by=by, version=version, fields=plain.keys(), m2m=m2m)


@transaction.atomic
def delete_record(instance, *, by, version: int | None = None):
    require(by, "delete", instance)
    if version is not None and int(version) != instance.version:
        raise ConflictError(current_version=instance.version)
    instance._history_user = by
    last_seen, pk = represent(instance), instance.pk
    try:
        instance.delete()
    except models.ProtectedError as exc:
        names = ", ".join(sorted({str(o) for o in list(exc.protected_objects)[:5]}))
        raise ValidationError(f"This record is still referenced by other records ({names}); remove those first.")
    record_event(instance, "deleted", by=by, data=last_seen, object_id=pk)  # delete() cleared the pk
