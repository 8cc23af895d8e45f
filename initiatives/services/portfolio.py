"""Writes on the portfolio: initiatives (keys, dates, stage transitions through the gate),
milestones and KPIs; KPI measurements in services/measurements.py. Pages, admin and API call these.

CRUD services take the record first (`thing_update(obj, *, by, data, version=None)`); action
services are keyword-only.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from vpportal.core.services import (
    TransitionError,
    Writes,
    create_record,
    delete_record,
    require,
    save_changes,
    save_new,
    update_record,
)
from vpportal.people.choices import Function
from vpportal.permissions import perm_name

from .. import gate
from ..choices import Direction, MilestoneStatus, Stage
from ..models import KPI, Initiative, Milestone

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
    return create_record(KPI, by=by, data=data, check=_check_thresholds)


def kpi_update(kpi: KPI, *, by, data: dict, version: int | None = None) -> KPI:
    return update_record(kpi, by=by, data=data, version=version, check=_check_thresholds)


def kpi_delete(kpi: KPI, *, by, version: int | None = None) -> None:
    delete_record(kpi, by=by, version=version)


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
INITIATIVE_WRITES = Writes(create=initiative_create, update=initiative_update, delete=initiative_delete)
MILESTONE_WRITES = Writes(create=milestone_create, update=milestone_update, delete=milestone_delete)
KPI_WRITES = Writes(create=kpi_create, update=kpi_update, delete=kpi_delete)

# The measurements' writes live in services/measurements.py; callers of this module keep their names.
from .measurements import (  # noqa: E402, F401
    BULK_LIMIT,
    KPI_MEASUREMENT_WRITES,
    ON_CONFLICT,
    BulkRejected,
    kpi_measurement_create,
    kpi_measurement_delete,
    kpi_measurement_update,
    kpi_measurements_bulk_create,
    kpi_measurements_ingest,
    kpi_statuses,
    record_kpi_events,
)
