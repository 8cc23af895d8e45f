"""Writes on the AI system inventory, the risk register and mitigations: pages, admin and API all
call these. CRUD services take the record first; action services are keyword-only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from governance.choices import RequirementLevel, RiskCategory, RiskLevel, RiskStatus, level_for
from governance.models import AISystem, Mitigation, Requirement, Risk
from governance.querysets import INHERENT_SCORE, RESIDUAL_SCORE
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

KEY_FORMAT = "RSK-{:04d}"
MSG_CANNOT_ACCEPT = "Only executive and governance users may accept risks."
MSG_JUSTIFICATION_REQUIRED = "Write why the organisation accepts this risk."
MSG_ACCEPT_THROUGH_ACTION = "Use “Accept risk”, which records a justification, to accept a risk."
ACCEPTANCE_FIELDS = ("accepted_by", "accepted_at", "acceptance_justification")
MSG_NOT_A_LIBRARY_ENTRY = "Choose an entry of the risk library (the NIST AI 600-1 generative AI risks)."


# --- Scores, for a form's live preview ------------------------------------------------------------
SCORES = {"inherent": INHERENT_SCORE, "residual": RESIDUAL_SCORE}


def score_of(kind: str, values: dict) -> tuple[int | None, str | None]:
    """The score and level a risk with these factor values would have (`kind` inherent or residual):
    the register's own definitions (RiskScore, LEVEL_BANDS) applied to a record built in memory."""
    names = {f: values.get(f) for f in ("likelihood", "impact", "residual_likelihood", "residual_impact")}
    score = SCORES[kind].of(Risk(**names))
    return score, level_for(score)


def score_table() -> dict[str, dict]:
    """Every score a pair of factors gives, keyed "<likelihood>x<impact>", with its level: what the
    risk form's script looks up while the user picks (it computes nothing itself)."""
    table = {}
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            score, level = score_of("inherent", {"likelihood": likelihood, "impact": impact})
            table[f"{likelihood}x{impact}"] = {"score": score, "level": level, "label": str(RiskLevel(level).label)}
    return table


# --- AI systems -------------------------------------------------------------------------------------
def aisystem_create(*, by, data: dict) -> AISystem:
    return create_record(AISystem, by=by, data=data)


def aisystem_update(system: AISystem, *, by, data: dict, version: int | None = None) -> AISystem:
    return update_record(system, by=by, data=data, version=version)


def aisystem_delete(system: AISystem, *, by, version: int | None = None) -> None:
    delete_record(system, by=by, version=version)


# --- risks ------------------------------------------------------------------------------------------
def _check_residuals(risk: Risk) -> None:
    """Residual values describe the risk after mitigations: never worse than the inherent ones."""
    errors = {}
    if risk.residual_likelihood and risk.likelihood and risk.residual_likelihood > risk.likelihood:
        errors["residual_likelihood"] = "The residual likelihood cannot exceed the likelihood before mitigation."
    if risk.residual_impact and risk.impact and risk.residual_impact > risk.impact:
        errors["residual_impact"] = "The residual impact cannot exceed the impact before mitigation."
    if errors:
        raise ValidationError(errors)


MSG_VENDOR_ONLY_THIRD_PARTY = (
    "Only a risk of category “Third party” names a vendor: change the category or clear the vendor."
)


def _check_vendor(risk: Risk) -> None:
    if risk.vendor_id and risk.category != RiskCategory.THIRD_PARTY:
        raise ValidationError({"vendor": MSG_VENDOR_ONLY_THIRD_PARTY})


def _move_status(risk: Risk, target: str) -> list[str]:
    """Run the declared transition to `target`; returns the extra fields it changed."""
    if target == risk.status:
        return []
    if target == RiskStatus.ACCEPTED:
        raise ValidationError({"status": MSG_ACCEPT_THROUGH_ACTION})
    moves = {t.target: t.name for t in risk.get_available_status_transitions()}
    if target not in moves:
        raise ValidationError(
            {"status": f"A risk cannot move from {risk.get_status_display()} to {RiskStatus(target).label}."}
        )
    was_accepted = risk.status == RiskStatus.ACCEPTED
    getattr(risk, moves[target])()
    if was_accepted:
        # The acceptance no longer holds; the history keeps who accepted it, when and why.
        risk.accepted_by, risk.accepted_at, risk.acceptance_justification = None, None, ""
        return list(ACCEPTANCE_FIELDS)
    return []


@transaction.atomic
def risk_create(*, by, data: dict) -> Risk:
    require(by, "add", Risk)
    data = dict(data)
    status = data.pop("status", None) or RiskStatus.IDENTIFIED
    if status == RiskStatus.ACCEPTED:
        raise ValidationError({"status": MSG_ACCEPT_THROUGH_ACTION})
    risk = Risk(**data)
    risk.status = status
    _check_residuals(risk)
    _check_vendor(risk)
    return save_new(risk, by=by, key_format=KEY_FORMAT)


# --- the risk library (NIST AI 600-1) ------------------------------------------------------------------
def library_prefill(entry: Requirement) -> dict:
    """What a risk registered from a library entry starts with: its title, summary and suggested
    category, and the entry itself as the requirement the risk concerns."""
    if entry.level != RequirementLevel.RISK:
        raise ValidationError({"requirement": MSG_NOT_A_LIBRARY_ENTRY})
    return {
        "title": entry.title,
        "description": entry.text,
        "category": entry.suggested_category or None,
        "requirement": entry,
    }


@transaction.atomic
def risk_create_from_library(*, entry: Requirement, by, data: dict) -> Risk:
    """Register a risk from a library entry (risk_create's rules): what `data` leaves out or blank
    comes from the entry; the entry stays linked as the risk's requirement."""
    given = {name: value for name, value in data.items() if value not in (None, "")}
    return risk_create(by=by, data={**library_prefill(entry), **given, "requirement": entry})


def risk_update(risk: Risk, *, by, data: dict, version: int | None = None) -> Risk:
    require(by, "change", risk)
    data = dict(data)
    status = data.pop("status", None)
    for name, value in data.items():
        setattr(risk, name, value)
    fields = list(data)
    if status:
        extra = _move_status(risk, status)
        fields += ["status", *extra]
    _check_residuals(risk)
    _check_vendor(risk)
    return save_changes(risk, by=by, version=version, fields=fields)


def risk_delete(risk: Risk, *, by, version: int | None = None) -> None:
    delete_record(risk, by=by, version=version)


def accept_refusal(user, risk: Risk) -> Exception | None:
    """THE rule of accepting a risk: why `user` may not accept it now, or None. The service raises
    what it returns; the risk page offers "Accept risk" exactly when it returns None."""
    if not user.has_perm("governance.accept_risk"):
        return PermissionDenied(MSG_CANNOT_ACCEPT)
    if not can_proceed(risk.accept):
        return TransitionError(f"{risk.key} is {risk.get_status_display().lower()}: only an open risk can be accepted.")
    return None


def may_accept(user, risk: Risk) -> bool:
    return accept_refusal(user, risk) is None


@transaction.atomic
def risk_accept(*, risk: Risk, by, justification: str, version: int | None = None) -> Risk:
    """Accept an open risk: executive or governance only, with a written justification; who and
    when are recorded on the risk and in its history."""
    refusal = accept_refusal(by, risk)
    if isinstance(refusal, PermissionDenied):
        raise refusal
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": MSG_JUSTIFICATION_REQUIRED})
    if refusal:
        raise refusal
    risk.accept()
    risk.accepted_by, risk.accepted_at, risk.acceptance_justification = by, timezone.now(), justification
    return save_changes(risk, by=by, version=version, fields=["status", *ACCEPTANCE_FIELDS], event="risk.accepted")


# --- mitigations ------------------------------------------------------------------------------------
def mitigation_create(*, by, data: dict) -> Mitigation:
    return create_record(Mitigation, by=by, data=data)


def mitigation_update(mitigation: Mitigation, *, by, data: dict, version: int | None = None) -> Mitigation:
    return update_record(mitigation, by=by, data=data, version=version)


def mitigation_delete(mitigation: Mitigation, *, by, version: int | None = None) -> None:
    delete_record(mitigation, by=by, version=version)


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
AISYSTEM_WRITES = Writes(create=aisystem_create, update=aisystem_update, delete=aisystem_delete)
RISK_WRITES = Writes(create=risk_create, update=risk_update, delete=risk_delete)
MITIGATION_WRITES = Writes(create=mitigation_create, update=mitigation_update, delete=mitigation_delete)
