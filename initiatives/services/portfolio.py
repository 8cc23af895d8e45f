"""Writes on the portfolio: initiatives (keys, dates, stage transitions through the gate),
milestones, KPIs and their measurements (one at a time or in bulk). Pages, admin and API call these.

CRUD services take the record first (`thing_update(obj, *, by, data, version=None)`); action
services are keyword-only.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.utils import bulk_update_with_history

from vpportal.core import bounds
from vpportal.core.history import current_channel
from vpportal.core.services import (
    TransitionError,
    Writes,
    create_record,
    delete_record,
    require,
    save_changes,
    save_new,
)
from vpportal.events.outbox import record_events, represent_many
from vpportal.people.choices import Function
from vpportal.permissions import perm_name

from .. import gate
from ..choices import Direction, MilestoneStatus, Stage
from ..models import KPI, Initiative, KPIMeasurement, Milestone
from .ingest import insert_with_history

KEY_FORMAT = "INI-{:04d}"

# --- stage workflow --------------------------------------------------------------------------------
# The moves are declared on the model (django-fsm transitions on Initiative.stage, the gate as the
# condition of the moves into pilot and production); this module decides who may make them and says
# why not. Every channel (page, admin, API, import) calls `stage_moves` and `initiative_transition`.
STAGE_PATH = (Stage.IDEA, Stage.DISCOVERY, Stage.POC, Stage.PILOT, Stage.PRODUCTION)
# A new initiative starts before the gate; it reaches pilot or production only through a transition.
CREATE_STAGES = (Stage.IDEA, Stage.DISCOVERY, Stage.POC)

MSG_USE_TRANSITION = "Change the stage with a stage transition, which checks the stage gate."
MSG_CREATE_STAGE = "A new initiative starts as an idea, in discovery or as a proof of concept; move it further with a stage transition."
MSG_DATES = "The target date must not precede the start date."
MSG_OVERRIDE_ROLE = "Only executives may override the stage gate."
MSG_GATE_REFUSES = "The stage gate refuses the move to {stage}: {count} check(s) failed."
MSG_OVERRIDE_POSSIBLE = (
    "As an executive you may override the gate with a justification, which is recorded with the failed checks."
)
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,39}$")


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def _move_order(source: str, target: str) -> tuple:
    """Forward first, then back, retiring last: the order the page offers the moves in."""
    forward = source in STAGE_PATH and target in STAGE_PATH and STAGE_PATH.index(target) > STAGE_PATH.index(source)
    return (target == Stage.RETIRED, not forward)


def _is_override(transition) -> bool:
    return bool(transition.custom.get("override"))


def _declared_moves() -> dict[str, tuple[str, ...]]:
    """Source stage -> the target stages the model declares (overrides are the same moves)."""
    moves: dict[str, set] = {stage: set() for stage in Stage.values}
    for move in Initiative._meta.get_field("stage").get_all_transitions(Initiative):
        moves[move.source].add(move.target)
    return {source: tuple(sorted(targets, key=lambda t: _move_order(source, t))) for source, targets in moves.items()}


ALLOWED_MOVES: dict[str, tuple[str, ...]] = _declared_moves()


def _transitions_from(initiative) -> dict[str, dict[bool, object]]:
    """Target stage -> {is override: the declared transition} from the initiative's stage."""
    found: dict[str, dict[bool, object]] = {}
    for move in Initiative._meta.get_field("stage").get_all_transitions(Initiative):
        if move.source == initiative.stage:
            found.setdefault(move.target, {})[_is_override(move)] = move
    return found


def _gate_fails(initiative, move) -> tuple[str, ...]:
    """The failure reasons when `move` is gated and its gate fails (empty otherwise): the same
    memo the transition's condition reads, so asking here costs no second evaluation."""
    return gate.failures(initiative, move.target) if move.conditions else ()


@dataclass(frozen=True)
class StageMove:
    """One declared move from the initiative's stage, as `user` sees it."""

    stage: str
    label: str
    allowed: bool  # the user may make it now: pages offer exactly these
    needs_override: bool = False  # the gate fails; the user (an executive) moves only with a justification
    failed_checks: tuple[str, ...] = ()


def may_override_gate(user) -> bool:
    """THE predicate of the gate override: pages show the justification field exactly when it holds."""
    return user.has_perm(gate.OVERRIDE_PERM)


def stage_moves(initiative, user) -> list[StageMove]:
    """Every declared move from the initiative's stage, and whether `user` may make it now.

    The gate is evaluated once (it is the condition of the gated moves); a move into a stage whose
    gate fails is allowed only as an override, to users who may override (executives).
    """
    gate.forget(initiative)
    may_change = user.has_perm(perm_name(Initiative, "change"), initiative)
    available = {(move.target, _is_override(move)) for move in initiative.get_available_user_stage_transitions(user)}
    found = _transitions_from(initiative)
    moves = []
    for target in ALLOWED_MOVES.get(initiative.stage, ()):
        plain = found[target].get(False)
        failed = _gate_fails(initiative, plain) if plain is not None else ()
        overridable = bool(failed) and (target, True) in available
        allowed = may_change and ((target, False) in available or overridable)
        moves.append(StageMove(target, stage_label(target), allowed, overridable, failed))
    return moves


def stage_path(current: str, target: str) -> list[str]:
    """The shortest chain of declared moves from `current` to `target` (empty when equal): an
    import asks for it and makes each move through `initiative_transition`, never past a gate."""
    paths = {current: []}
    frontier = [current]
    while frontier and target not in paths:
        following = []
        for stage in frontier:
            for step in ALLOWED_MOVES.get(stage, ()):
                if step not in paths:
                    paths[step] = [*paths[stage], step]
                    following.append(step)
        frontier = following
    return paths.get(target, [])


def next_gated_stage(current: str) -> str | None:
    """The gated stage this initiative would enter next along the path (for the detail checklist)."""
    if current not in STAGE_PATH:
        return None
    ahead = STAGE_PATH[STAGE_PATH.index(current) + 1 :]
    return next((stage for stage in ahead if stage in gate.GATED_STAGES), None)


# --- initiatives ---------------------------------------------------------------------------------
def _clean_initiative_data(data: dict) -> dict:
    data = dict(data)
    data.pop("key", None)
    errors = {}
    if "partner_functions" in data:
        values = data["partner_functions"] or []
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            errors["partner_functions"] = ["Give a list of functions."]
        else:
            unknown = sorted(set(values) - set(Function.values))
            if unknown:
                errors["partner_functions"] = [f"Unknown function: {', '.join(unknown)}."]
            data["partner_functions"] = sorted(set(values), key=list(Function.values).index) if not unknown else []
    if "tags" in data:
        values = data["tags"] or []
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            errors["tags"] = ["Give a list of tags."]
        else:
            tags = list(dict.fromkeys(v.strip().lower().replace(" ", "-") for v in values if v.strip()))
            bad = [t for t in tags if not TAG_RE.match(t)]
            if bad:
                errors["tags"] = [
                    f"Tags are up to 40 letters, digits or hyphens: {', '.join(bad[:5])} "
                    f"{'is' if len(bad) == 1 else 'are'} not."
                ]
            data["tags"] = tags
    if errors:
        raise ValidationError(errors)
    return data


def check_initiative_dates(start_date, target_date):
    """The target date must not precede the start (also a database constraint); forms call this
    too so the message lands on the field before the model's constraint check."""
    if start_date and target_date and target_date < start_date:
        raise ValidationError({"target_date": MSG_DATES})


@transaction.atomic
def initiative_create(*, by, data: dict) -> Initiative:
    """Insert, then derive the key from the primary key in the same transaction: two concurrent
    creates get different primary keys from the database, hence different keys, without a lock."""
    require(by, "add", Initiative)
    data = _clean_initiative_data(data)
    stage = data.setdefault("stage", Stage.IDEA)
    if stage not in CREATE_STAGES:
        raise ValidationError({"stage": MSG_CREATE_STAGE})
    initiative = Initiative(**data)
    initiative.stage_changed_at = timezone.now()
    check_initiative_dates(initiative.start_date, initiative.target_date)
    return save_new(initiative, by=by, key_format=KEY_FORMAT)


def initiative_update(initiative: Initiative, *, by, data: dict, version: int | None = None) -> Initiative:
    require(by, "change", initiative)
    data = _clean_initiative_data(data)
    if "stage" in data and data.pop("stage") != initiative.stage:
        raise ValidationError({"stage": MSG_USE_TRANSITION})
    for name, value in data.items():
        setattr(initiative, name, value)
    check_initiative_dates(initiative.start_date, initiative.target_date)
    return save_changes(initiative, by=by, version=version, fields=data.keys())


def initiative_delete(initiative: Initiative, *, by, version: int | None = None) -> None:
    delete_record(initiative, by=by, version=version)


@transaction.atomic
def initiative_transition(
    *, initiative: Initiative, by, stage: str, override_justification: str = "", version: int | None = None
) -> Initiative:
    """Move an initiative to `stage` by its declared transition, through the stage gate.

    A gated move whose gate fails is refused (TransitionError listing each reason) unless an
    executive gives a justification: the override transition then records it with the failed
    checks on the initiative (and so in its history). Nothing here ever overrides on its own.
    """
    require(by, "change", initiative, "You may not change the stage of initiatives.")
    if stage not in Stage.values:
        choices = ", ".join(Stage.values)
        raise ValidationError({"stage": f"Unknown stage “{stage}”. Choose one of: {choices}."})
    current = initiative.stage
    if stage == current:
        raise TransitionError(f"The initiative is already in {stage_label(stage)}.")
    declared = _transitions_from(initiative).get(stage)
    if not declared:
        allowed = ", ".join(stage_label(s) for s in ALLOWED_MOVES.get(current, ()))
        raise TransitionError(
            f"An initiative cannot move from {stage_label(current)} to {stage_label(stage)}; "
            f"from {stage_label(current)} it may move to: {allowed}."
        )
    gate.forget(initiative)
    justification = (override_justification or "").strip()
    failed = _gate_fails(initiative, declared[False])
    if not failed:
        getattr(initiative, declared[False].name)()
    else:
        override = declared.get(True)
        if not justification:
            message = MSG_GATE_REFUSES.format(stage=stage_label(stage), count=len(failed))
            if override is not None and may_override_gate(by):
                message = f"{message} {MSG_OVERRIDE_POSSIBLE}"
            raise TransitionError(message, details=list(failed))
        if override is None or not override.has_perm(initiative, by):
            raise PermissionDenied(MSG_OVERRIDE_ROLE)
        getattr(initiative, override.name)(justification=justification, failed_checks=failed)
    return save_changes(
        initiative,
        by=by,
        version=version,
        fields=["stage", "stage_changed_at", "gate_override_justification", "gate_override_failed_checks"],
        event="initiative.stage_changed",
        extra={
            "from": current,
            "to": stage,
            "override_justification": justification if failed else "",
            "failed_checks": failed,
        },
    )


# --- milestones ----------------------------------------------------------------------------------
def _complete_milestone(milestone: Milestone):
    if milestone.status == MilestoneStatus.DONE and milestone.done_date is None:
        milestone.done_date = timezone.localdate()


def milestone_create(*, by, data: dict) -> Milestone:
    require(by, "add", Milestone)
    milestone = Milestone(**data)
    _complete_milestone(milestone)
    return save_new(milestone, by=by)


def milestone_update(milestone: Milestone, *, by, data: dict, version: int | None = None) -> Milestone:
    require(by, "change", milestone)
    for name, value in data.items():
        setattr(milestone, name, value)
    _complete_milestone(milestone)
    return save_changes(milestone, by=by, version=version, fields=[*data.keys(), "done_date"])


def milestone_delete(milestone: Milestone, *, by, version: int | None = None) -> None:
    delete_record(milestone, by=by, version=version)


# --- KPIs ----------------------------------------------------------------------------------------
def _check_thresholds(kpi: KPI):
    """The warning threshold sits on the bad side of the target, or amber could never happen."""
    if kpi.target is None or kpi.warning_threshold is None:
        return
    if kpi.direction == Direction.HIGHER_IS_BETTER and kpi.warning_threshold > kpi.target:
        raise ValidationError(
            {"warning_threshold": "When higher is better, the warning threshold must not exceed the target."}
        )
    if kpi.direction == Direction.LOWER_IS_BETTER and kpi.warning_threshold < kpi.target:
        raise ValidationError(
            {"warning_threshold": "When lower is better, the warning threshold must not be below the target."}
        )


def kpi_create(*, by, data: dict) -> KPI:
    require(by, "add", KPI)
    kpi = KPI(**data)
    _check_thresholds(kpi)
    return save_new(kpi, by=by)


def kpi_update(kpi: KPI, *, by, data: dict, version: int | None = None) -> KPI:
    require(by, "change", kpi)
    for name, value in data.items():
        setattr(kpi, name, value)
    _check_thresholds(kpi)
    return save_changes(kpi, by=by, version=version, fields=data.keys())


def kpi_delete(kpi: KPI, *, by, version: int | None = None) -> None:
    delete_record(kpi, by=by, version=version)


# --- measurements --------------------------------------------------------------------------------
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


def _parse_point(point, default_tz):
    """(clean values, errors by field) for one incoming point, without touching the database."""
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
                elif clean["observed_at"] > timezone.now() + bounds.CLOCK_SKEW:
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
    for name, limit in (("source", 100), ("note", None)):
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


@transaction.atomic
def kpi_measurements_ingest(*, by, points, on_conflict: str = "skip") -> dict:
    """The bulk path after the permission check: the channels call `kpi_measurements_bulk_create`;
    a feed the system runs for a source (integrations' MLflow KPI feeds, `by=None`) calls this."""
    if not isinstance(points, list):
        raise ValidationError({"non_field_errors": ["Send a JSON array of measurement objects."]})
    if len(points) > BULK_LIMIT:
        raise ValidationError({"non_field_errors": [f"Send at most {BULK_LIMIT} points per request."]})
    default_tz = timezone.get_current_timezone()
    parsed, errors = [], []
    for index, point in enumerate(points):
        clean, point_errors = _parse_point(point, default_tz)
        if point_errors:
            errors.append({"index": index, "errors": point_errors})
        parsed.append(clean)
    kpi_ids = {p["kpi_id"] for p in parsed if p and "kpi_id" in p}
    # The KPIs' statuses before the batch (for `kpi.status_changed`) also say which KPIs exist.
    before = kpi_statuses(kpi_ids) if kpi_ids else {}
    known = set(before)
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
    )
    record_kpi_events(before, by=by, added=added, corrected=corrected)
    created = sum(added.values())
    if on_conflict == "update":
        return {"created": created, "updated": updated, "skipped": len(points) - created - updated}
    return {"created": created, "skipped": len(points) - created}


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
INITIATIVE_WRITES = Writes(create=initiative_create, update=initiative_update, delete=initiative_delete)
MILESTONE_WRITES = Writes(create=milestone_create, update=milestone_update, delete=milestone_delete)
KPI_WRITES = Writes(create=kpi_create, update=kpi_update, delete=kpi_delete)
KPI_MEASUREMENT_WRITES = Writes(
    create=kpi_measurement_create, update=kpi_measurement_update, delete=kpi_measurement_delete
)
