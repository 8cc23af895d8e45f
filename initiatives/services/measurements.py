"""Writes on KPI measurements: one point at a time (pages, admin, the importer) or in bulk (the API's
`kpi-measurements/bulk/`, the MLflow feed), with the KPI events they cause. Split from
services/portfolio.py, which re-exports these names for its callers.
"""

import math
from datetime import UTC, datetime, time
from operator import itemgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from vpportal.core import bounds
from vpportal.core.history import current_channel
from vpportal.core.services import (
    Writes,
    create_record,
    delete_record,
    require,
    save_changes,
)
from vpportal.events.outbox import record_events, represent_many
from vpportal.permissions import perm_name

from ..models import KPI, KPIMeasurement
from .ingest import StoredMeanwhile, insert_with_history

KEY_FORMAT = "INI-{:04d}"

MSG_NOT_FINITE = "Enter a finite number."


def _check_value(value):
    if value is not None and not math.isfinite(value):
        raise ValidationError({"value": MSG_NOT_FINITE})


def kpi_statuses(kpi_ids) -> dict:
    """{KPI id: derived status} (the one definition, `with_status`) in one query."""
    return dict(KPI.objects.filter(pk__in=kpi_ids).with_status().order_by().values_list("pk", "status"))


def record_kpi_events(before: dict, *, by, added: dict | None = None, corrected: dict | None = None) -> None:
    """Set-wise events of KPIs whose points changed: `kpi.status_changed` for each KPI whose derived
    status differs from `before` ({id: status}), `kpi.measurements_added` for each KPI of `added`
    ({id: points added}) and `kpi.measurements_corrected` for each of `corrected` ({id: points
    updated}): a handful of rows, whatever the size of the batch."""
    after = kpi_statuses(before)
    changed = [pk for pk, status in after.items() if before.get(pk) != status]
    ids = set(changed) | set(added or {}) | set(corrected or {})
    if not ids:
        return
    shown = represent_many(KPI, ids)
    rows = []
    for pk, count in sorted((added or {}).items()):
        action = {"count": count}
        rows.append(("kpi.measurements_added", pk, {**shown.get(pk, {"id": pk}), "action": action}))
    for pk, count in sorted((corrected or {}).items()):
        action = {"count": count}
        rows.append(("kpi.measurements_corrected", pk, {**shown.get(pk, {"id": pk}), "action": action}))
    for pk in sorted(changed):
        action = {"from": before.get(pk), "to": after[pk]}
        rows.append(("kpi.status_changed", pk, {**shown.get(pk, {"id": pk}), "action": action}))
    record_events(KPI, rows, by=by)


@transaction.atomic
def kpi_measurement_create(*, by, data: dict) -> KPIMeasurement:
    require(by, "add", KPIMeasurement)
    _check_value(data.get("value"))
    data = {**data, "source": data.get("source") or ""}
    kpi = data.get("kpi")
    before = kpi_statuses([kpi.pk]) if kpi is not None else {}
    measurement = create_record(KPIMeasurement, by=by, data=data)
    record_kpi_events(before, by=by)
    return measurement


def kpi_measurement_update(
    measurement: KPIMeasurement, *, by, data: dict, version: int | None = None
) -> KPIMeasurement:
    require(by, "change", measurement)
    _check_value(data.get("value"))
    before = kpi_statuses({measurement.kpi_id, getattr(data.get("kpi"), "pk", measurement.kpi_id)})
    for name, value in data.items():
        setattr(measurement, name, value)
    with transaction.atomic():
        saved = save_changes(measurement, by=by, version=version, fields=data.keys())
        record_kpi_events(before, by=by)
    return saved


@transaction.atomic
def kpi_measurement_delete(measurement: KPIMeasurement, *, by, version: int | None = None) -> None:
    before = kpi_statuses([measurement.kpi_id])
    delete_record(measurement, by=by, version=version)
    record_kpi_events(before, by=by)


BULK_LIMIT = 10_000
BULK_BATCH_SIZE = 2_000
# What a point carries (the rest is set once per batch), and what makes it the same point.
BULK_COLUMNS = ("kpi_id", "observed_at", "value", "source", "note")
BULK_IDENTITY = ("kpi_id", "observed_at", "source")


class BulkRejected(ValidationError):
    """A bulk batch with bad points: nothing was written. `errors` holds, per bad point, its index
    in the batch and the reasons by field."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(
            [f"Point {e['index']}: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in e["errors"].items()) for e in errors]
        )


# The text columns' bounds as full_clean() holds a single point to them (the field's max_length, and
# for long text the generic bound): a bulk point gets no other length check.
_BULK_TEXT_LIMITS = {
    name: KPIMeasurement._meta.get_field(name).max_length
    or bounds.text_limit(KPIMeasurement, KPIMeasurement._meta.get_field(name))
    for name in ("source", "note")
}


def _parse_point(point, default_tz, latest_allowed):
    """(clean values, errors by field) for one incoming point, without touching the database.
    `latest_allowed`: the batch's "now" plus the allowed clock skew (read once per batch)."""
    if not isinstance(point, dict):
        return None, {"non_field_errors": ["Each point must be an object."]}
    errors, clean = {}, {}
    kpi = point.get("kpi")
    if kpi is None:
        errors["kpi"] = ["This field is required."]
    elif isinstance(kpi, bool) or not (isinstance(kpi, int) or (isinstance(kpi, str) and kpi.isdigit())):
        errors["kpi"] = ["Give the id of a KPI."]
    elif not 0 < int(kpi) < 2**63:  # beyond any database id: refused here, not by the driver
        errors["kpi"] = [f"No KPI with id {kpi}."]
    else:
        clean["kpi_id"] = int(kpi)
    observed = point.get("observed_at")
    if observed is None or observed == "":
        errors["observed_at"] = ["This field is required."]
    else:
        try:
            moment = observed if isinstance(observed, datetime) else parse_datetime(str(observed))
        except ValueError:
            moment = None
        if moment is None:
            errors["observed_at"] = ["Enter a date and time in ISO 8601, e.g. 2025-01-31T09:00:00Z."]
        else:
            moment = timezone.make_aware(moment, default_tz) if timezone.is_naive(moment) else moment
            try:
                # Stored in UTC: PostgreSQL refuses offsets beyond +-15:59 that ISO 8601 allows.
                clean["observed_at"] = moment.astimezone(UTC)
            except OverflowError:
                errors["observed_at"] = ["This date and time is out of range."]
            else:
                # The bounds KPIMeasurement's validators apply to a single point (vpportal/core/bounds.py).
                if not bounds.EARLIEST_DATE <= clean["observed_at"].date() <= bounds.LATEST_DATE:
                    errors["observed_at"] = [f"Enter a date between {bounds.EARLIEST_DATE} and {bounds.LATEST_DATE}."]
                elif clean["observed_at"] > latest_allowed:
                    errors["observed_at"] = ["A measurement cannot be observed in the future."]
    value = point.get("value")
    if value is None or value == "":
        errors["value"] = ["This field is required."]
    else:
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError, OverflowError):
            number = None
        if number is None or not math.isfinite(number):
            errors["value"] = [MSG_NOT_FINITE]
        else:
            clean["value"] = number
    for name, limit in _BULK_TEXT_LIMITS.items():
        text = point.get(name)
        if text is None:
            clean[name] = ""
        elif not isinstance(text, str):
            errors[name] = ["Give text."]
        elif limit and len(text) > limit:
            errors[name] = [f"Ensure this field has no more than {limit} characters."]
        elif not bounds.storable_text(text):
            errors[name] = ["Null characters and unpaired surrogates are not allowed."]
        else:
            clean[name] = text
    return clean, errors


_EARLIEST_MOMENT = datetime.combine(bounds.EARLIEST_DATE, time.min, UTC)
_LATEST_MOMENT = datetime.combine(bounds.LATEST_DATE, time.max, UTC)


def _parse_points(points, default_tz, latest_allowed) -> tuple[list, list]:
    """`_parse_point` over a batch: (clean values per point, [{index, errors}] of the bad ones).

    The common point (an object with an int `kpi`, an aware ISO 8601 `observed_at` within the
    bounds, a float or int `value`, short plain text or nothing as `source` and `note`) is taken
    here with the same checks in fewer steps; any other point, valid or not, goes through
    `_parse_point`, which alone words the errors."""
    latest = min(latest_allowed, _LATEST_MOMENT)
    source_limit, note_limit = (_BULK_TEXT_LIMITS[name] or math.inf for name in ("source", "note"))
    plain_texts: set[str] = set()  # texts of this batch already found storable (sources repeat)
    fromisoformat, isfinite, utc = datetime.fromisoformat, math.isfinite, UTC
    parsed, errors = [], []
    for index, point in enumerate(points):
        if type(point) is dict:
            kpi, observed, value = point.get("kpi"), point.get("observed_at"), point.get("value")
            source, note = point.get("source"), point.get("note")
            if (
                type(kpi) is int
                and 0 < kpi < 2**63
                and type(observed) is str
                and (type(value) is float or type(value) is int)
                and (source is None or (type(source) is str and len(source) <= source_limit))
                and (note is None or (type(note) is str and len(note) <= note_limit))
            ):
                try:
                    moment = fromisoformat(observed)
                    number = float(value)
                    if moment.tzinfo is not None:
                        moment = moment.astimezone(utc)
                except (ValueError, OverflowError):
                    moment = None
                if (
                    moment is not None
                    and moment.tzinfo is utc
                    and _EARLIEST_MOMENT <= moment <= latest
                    and isfinite(number)
                    and (source is None or source in plain_texts or _plain_text(source, plain_texts))
                    and (note is None or note in plain_texts or _plain_text(note, plain_texts))
                ):
                    parsed.append(
                        {
                            "kpi_id": kpi,
                            "observed_at": moment,
                            "value": number,
                            "source": "" if source is None else source,
                            "note": "" if note is None else note,
                        }
                    )
                    continue
        clean, point_errors = _parse_point(point, default_tz, latest_allowed)
        if point_errors:
            errors.append({"index": index, "errors": point_errors})
        parsed.append(clean)
    return parsed, errors


def _plain_text(text: str, seen: set) -> bool:
    """Whether `text` is storable (`bounds.storable_text`), remembered in `seen` when it is."""
    if bounds.storable_text(text):
        seen.add(text)
        return True
    return False


ON_CONFLICT = ("skip", "update")


@transaction.atomic
def kpi_measurements_bulk_create(*, by, points, on_conflict: str = "skip") -> dict:
    """Ingest up to BULK_LIMIT points at once: all or nothing, idempotent on (kpi, observed_at, source).

    Points already stored are skipped, so a re-sent batch creates nothing (on PostgreSQL also when
    both copies arrive at once). Validation is plain Python plus one query (the KPIs); rows and their
    history rows are written, and stored points skipped, by `insert_with_history`.

    `on_conflict="update"` corrects stored points instead: a point whose key is stored takes the new
    value and note (a history row and a version bump each; the permission to change that point, so a
    contributor corrects only their own points or their KPI's); a stored point already equal is
    skipped. The answer then also has `updated`.
    """
    require(by, "add", KPIMeasurement)
    if on_conflict not in ON_CONFLICT:
        raise ValidationError({"on_conflict": [f"Give {' or '.join(ON_CONFLICT)}."]})
    return kpi_measurements_ingest(by=by, points=points, on_conflict=on_conflict)


MSG_CORRECT_OTHERS = (
    "{count} point(s) of this batch are stored by someone else on a KPI you do not own; you may correct "
    "only your own points and those of your KPIs. Nothing was written."
)


def _correct_stored(parsed: list[dict], *, by, actor, channel) -> tuple[int, int, dict]:
    """Update the stored points among `parsed` whose value or note differ; answer (updated, equal,
    {KPI id: points updated}). One read of the stored keys with their KPIs (the object rule reads
    the KPI's owner; the points are locked for the batch), then bulk updates and their history rows
    in batches."""
    keys = {(p["kpi_id"], p["observed_at"], p["source"]): p for p in parsed}
    moments = [key[1] for key in keys]
    stored = (
        KPIMeasurement.objects.select_related("kpi")
        .select_for_update(of=("self",))
        .filter(kpi_id__in={key[0] for key in keys}, observed_at__range=(min(moments), max(moments)))
        .order_by()
    )
    now, changed, equal, per_kpi = timezone.now(), [], 0, {}
    for row in stored:
        point = keys.get((row.kpi_id, row.observed_at, row.source))
        if point is None:
            continue
        if (row.value, row.note) == (point["value"], point["note"]):
            equal += 1
            continue
        row.value, row.note, row.version = point["value"], point["note"], row.version + 1
        row.updated_at, row.updated_by = now, actor
        changed.append(row)
        per_kpi[row.kpi_id] = per_kpi.get(row.kpi_id, 0) + 1
    change = perm_name(KPIMeasurement, "change")
    refused = sum(1 for row in changed if by is not None and not by.has_perm(change, row))
    if refused:
        raise PermissionDenied(MSG_CORRECT_OTHERS.format(count=refused))
    if changed:
        bulk_update_with_history(
            changed,
            KPIMeasurement,
            ["value", "note", "version", "updated_at", "updated_by"],
            batch_size=BULK_BATCH_SIZE,
            default_user=actor,
            default_date=now,
            custom_historical_attrs={"history_channel": channel},
        )
    return len(changed), equal, per_kpi


_KPI_ID = itemgetter("kpi_id")
_IDENTITY = itemgetter(*BULK_IDENTITY)


def _batch_problems(parsed: list, errors: list, known: set) -> None:
    """Add to `errors` the points of an unknown KPI and the repeats of an earlier point of the batch."""
    seen: dict[tuple, int] = {}
    by_index = {e["index"]: e for e in errors}
    for index, clean in enumerate(parsed):
        if not clean or "kpi_id" not in clean:
            continue
        problems = {}
        if clean["kpi_id"] not in known:
            problems["kpi"] = [f"No KPI with id {clean['kpi_id']}."]
        elif "observed_at" in clean:
            identity = (clean["kpi_id"], clean["observed_at"], clean.get("source", ""))
            if identity in seen:
                problems["non_field_errors"] = [
                    f"Repeats the point at index {seen[identity]} (same KPI, time and source)."
                ]
            else:
                seen[identity] = index
        if problems:
            entry = by_index.setdefault(index, {"index": index, "errors": {}})
            if entry not in errors:
                errors.append(entry)
            entry["errors"].update(problems)


def kpi_measurements_ingest(*, by, points, on_conflict: str = "skip") -> dict:
    """The bulk path after the permission check: the channels call `kpi_measurements_bulk_create`;
    a feed the system runs for a source (integrations' MLflow KPI feeds, `by=None`) calls this."""
    try:
        return _ingest(by=by, points=points, on_conflict=on_conflict, plain_insert=True)
    except StoredMeanwhile:
        # A concurrent batch stored some of these points after the check (its savepoint or
        # transaction is rolled back): again, skipping the stored points by ON CONFLICT.
        return _ingest(by=by, points=points, on_conflict=on_conflict, plain_insert=False)


@transaction.atomic
def _ingest(*, by, points, on_conflict: str, plain_insert: bool) -> dict:
    if not isinstance(points, list):
        raise ValidationError({"non_field_errors": ["Send a JSON array of measurement objects."]})
    if len(points) > BULK_LIMIT:
        raise ValidationError({"non_field_errors": [f"Send at most {BULK_LIMIT} points per request."]})
    default_tz = timezone.get_current_timezone()
    latest_allowed = timezone.now() + bounds.CLOCK_SKEW
    parsed, errors = _parse_points(points, default_tz, latest_allowed)
    # Without errors every point is complete.
    kpi_ids = {p["kpi_id"] for p in parsed if p and "kpi_id" in p} if errors else set(map(_KPI_ID, parsed))
    # The KPIs' statuses before the batch (for `kpi.status_changed`) also say which KPIs exist.
    before = kpi_statuses(kpi_ids) if kpi_ids else {}
    known = set(before)
    # A batch of complete points of known KPIs, none repeated, has nothing to report: checked set-wise.
    if errors or not kpi_ids <= known or len(set(map(_IDENTITY, parsed))) < len(parsed):
        _batch_problems(parsed, errors, known)
    if errors:
        raise BulkRejected(sorted(errors, key=lambda e: e["index"]))
    actor = by if getattr(by, "is_authenticated", False) else None
    actor_id = actor.pk if actor is not None else None
    updated, corrected = 0, {}
    if on_conflict == "update" and parsed:
        updated, _equal, corrected = _correct_stored(parsed, by=by, actor=actor, channel=current_channel())
    added = insert_with_history(
        KPIMeasurement,
        BULK_COLUMNS,
        list(map(itemgetter(*BULK_COLUMNS), parsed)),
        unique=BULK_IDENTITY,
        shared={"created_by_id": actor_id, "updated_by_id": actor_id},
        actor=actor,
        channel=current_channel(),
        batch_size=BULK_BATCH_SIZE,
        count_by="kpi_id",
        plain_insert=plain_insert,
    )
    record_kpi_events(before, by=by, added=added, corrected=corrected)
    created = sum(added.values())
    if on_conflict == "update":
        return {"created": created, "updated": updated, "skipped": len(points) - created - updated}
    return {"created": created, "skipped": len(points) - created}


KPI_MEASUREMENT_WRITES = Writes(
    create=kpi_measurement_create, update=kpi_measurement_update, delete=kpi_measurement_delete
)
