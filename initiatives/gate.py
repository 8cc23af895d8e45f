"""The stage gate: checks run before an initiative moves into a gated stage, in every channel.

`initiatives` owns the mechanism and its own check (a KPI with a target); `governance` registers
its checks (AI Act tiers, open high risks, policy acknowledgements) from its AppConfig.ready, so
initiatives never imports governance.
"""

from collections.abc import Callable
from dataclasses import dataclass

from vpportal.core.workflow import move

from .choices import Stage

GATED_STAGES = (Stage.PILOT, Stage.PRODUCTION)
OVERRIDE_PERM = "initiatives.override_gate"


@dataclass(frozen=True)
class GateCheck:
    """One check of the gate. `run(initiative, target_stage)` returns the failure reasons in plain
    words (empty when it passes). `stages` are the target stages it applies to."""

    code: str
    label: str
    run: Callable
    stages: tuple[str, ...] = GATED_STAGES


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    passed: bool
    reasons: tuple[str, ...] = ()


GATE_CHECKS: list[GateCheck] = []


def register_check(check: GateCheck) -> None:
    """Add a check once (idempotent, so a reloaded AppConfig does not register it twice)."""
    if all(existing.code != check.code for existing in GATE_CHECKS):
        GATE_CHECKS.append(check)


def evaluate(initiative, target_stage: str) -> list[CheckResult]:
    """Every check that applies to `target_stage`, passed or failed, in registration order."""
    results = []
    for check in GATE_CHECKS:
        if target_stage not in check.stages:
            continue
        reasons = tuple(check.run(initiative, target_stage))
        results.append(CheckResult(check.code, check.label, not reasons, reasons))
    return results


def failed_reasons(initiative, target_stage: str) -> list[str]:
    return [reason for result in evaluate(initiative, target_stage) for reason in result.reasons]


# --- the gate as the condition of the stage transitions ------------------------------------------
# django-fsm asks a condition with the record only, and asks it again when the move runs; the
# failures are remembered on the record so one round of asking (a page, a move) evaluates the gate
# once. `forget` starts a new round: the transition service calls it before it asks.
_MEMO = "_gate_failures"


def failures(initiative, target_stage: str) -> tuple[str, ...]:
    """The gate's failure reasons for `target_stage`, evaluated once per round (see `forget`)."""
    memo = initiative.__dict__.setdefault(_MEMO, {})
    if target_stage not in memo:
        memo[target_stage] = tuple(failed_reasons(initiative, target_stage))
    return memo[target_stage]


def forget(initiative) -> None:
    initiative.__dict__.pop(_MEMO, None)


@dataclass(frozen=True)
class GateCondition:
    """A condition of a declared move into `target_stage` (django-fsm calls it with the initiative):
    the gate passes (`passing=True`, the plain move) or fails (the executive's override: there is
    something to override)."""

    target_stage: str
    passing: bool

    def __call__(self, initiative) -> bool:
        return (
            not failures(initiative, self.target_stage)
            if self.passing
            else bool(failures(initiative, self.target_stage))
        )


def passes(target_stage: str) -> Callable:
    """Condition of the move into `target_stage`: every check of the gate passes."""
    return GateCondition(target_stage, passing=True)


def fails(target_stage: str) -> Callable:
    """Condition of the executive's override into `target_stage`: there is something to override."""
    return GateCondition(target_stage, passing=False)


def override_move(field, source: str, target_stage: str, *, then) -> move:
    """The executive's move past the failing gate of `target_stage`: declared beside the plain move
    from `source`, available only while the gate fails, to those with OVERRIDE_PERM, and marked
    `custom={"override": True}`; `then` records the justification and the failed checks."""
    return move(
        field,
        source,
        target_stage,
        then=then,
        conditions=[fails(target_stage)],
        permission=OVERRIDE_PERM,
        custom={"override": True},
    )


# --- the initiatives' own check ------------------------------------------------------------------
MSG_NO_KPI_WITH_TARGET = "The initiative has no KPI with a target: add a KPI and set its target value."


def _has_kpi_with_target(initiative, target_stage):
    if initiative.kpis.filter(target__isnull=False).exists():
        return []
    return [MSG_NO_KPI_WITH_TARGET]


KPI_WITH_TARGET = GateCheck(
    code="kpi_with_target",
    label="The initiative has at least one KPI with a target",
    run=_has_kpi_with_target,
)
