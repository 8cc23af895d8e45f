"""Writes on incidents: create, edit, the status workflow, the Article 73 report and raising a risk
from an incident. Pages, admin, API and the importer all call these; the rules live here and on the
model (`Incident.closing_blockers`, the declared transitions).

- PermissionDenied (403) when the user's roles may never do it;
- TransitionError (409) when the move is not allowed now (undeclared move, closing blockers,
  a non-serious or already reported incident);
- ValidationError (400) for bad values.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from governance.choices import IncidentStatus
from governance.models import Incident, Risk
from vpportal.core.bounds import CLOCK_SKEW
from vpportal.core.services import (
    TransitionError,
    Writes,
    delete_record,
    require,
    save_changes,
    save_new,
)

from .risks import risk_create

KEY_FORMAT = "INC-{:04d}"
REPORT_FIELDS = ("reported_to_authority_at", "authority_reference", "reported_by")
M2M_FIELDS = ("ai_systems", "risks", "mitigations")

MSG_DETECTED_BEFORE_OCCURRED = "An incident cannot be detected before it occurred."
MSG_FUTURE = "This cannot be in the future."
MSG_KIND_REQUIRED = "Choose the kind of serious incident: it decides the report deadline."
MSG_KIND_NOT_SERIOUS = "Only a serious incident has a kind; tick “serious incident” or clear the kind."
MSG_STATUS_THROUGH_ACTION = "Change the status with a move of the workflow (open, investigating, mitigated, closed)."
MSG_NOT_SERIOUS = "Only a serious incident is reported to the authority."
MSG_ALREADY_REPORTED = "{key} was reported to the authority on {when}."
MSG_REPORTED_BEFORE_DETECTED = "The report cannot come before the incident was detected."
MSG_DETECTED_AFTER_REPORT = "It was reported to the authority at {when}: it cannot have been detected after that."
MSG_CANNOT_UNFLAG = "{key} was reported to the authority as a serious incident; it stays serious."
MSG_CANNOT_REPORT = "Only leaders, governance members and executives may record the report of an incident."
MSG_CANNOT_MOVE = "Only leaders, governance members and executives may move incidents."


def _check(incident: Incident) -> None:
    """The field rules of an incident, as field errors (the form and the API name the field)."""
    errors = {}
    now = timezone.now() + CLOCK_SKEW
    if incident.detected_at and incident.detected_at > now:
        errors["detected_at"] = MSG_FUTURE
    if incident.occurred_at and incident.occurred_at > now:
        errors["occurred_at"] = MSG_FUTURE
    if incident.detected_at and incident.occurred_at and incident.detected_at < incident.occurred_at:
        errors.setdefault("detected_at", MSG_DETECTED_BEFORE_OCCURRED)
    reported = incident.reported_to_authority_at
    if incident.detected_at and reported and incident.detected_at > reported:
        # A reported incident's detection moved past its report (the constraint says it too).
        errors.setdefault("detected_at", MSG_DETECTED_AFTER_REPORT.format(when=reported.isoformat()))
    if incident.serious and not incident.serious_kind:
        errors["serious_kind"] = MSG_KIND_REQUIRED
    if not incident.serious and incident.serious_kind:
        errors["serious_kind"] = MSG_KIND_NOT_SERIOUS
    if not incident.serious and incident.is_reported:
        errors["serious"] = MSG_CANNOT_UNFLAG.format(key=incident.key)
    if errors:
        raise ValidationError(errors)


def _split(data: dict):
    data = dict(data)
    m2m = {name: data.pop(name) for name in M2M_FIELDS if name in data and data[name] is not None}
    for name in M2M_FIELDS:
        data.pop(name, None)
    return data, m2m


@transaction.atomic
def incident_create(*, by, data: dict) -> Incident:
    """Report an incident: anyone with a role may. It starts `open`; the key is INC- and its id."""
    require(by, "add", Incident, "You may not report incidents.")
    data, m2m = _split(data)
    status = data.pop("status", None)
    if status and status != IncidentStatus.OPEN:
        raise ValidationError({"status": "A new incident starts open; move it through the workflow afterwards."})
    for name in REPORT_FIELDS:
        data.pop(name, None)
    incident = Incident(**data)
    _check(incident)
    return save_new(incident, by=by, m2m=m2m, key_format=KEY_FORMAT)


def incident_update(incident: Incident, *, by, data: dict, version: int | None = None) -> Incident:
    require(by, "change", incident, "You may not edit incidents.")
    data, m2m = _split(data)
    status = data.pop("status", None)
    if status and status != incident.status:
        raise ValidationError({"status": MSG_STATUS_THROUGH_ACTION})
    for name in REPORT_FIELDS:
        data.pop(name, None)
    for name, value in data.items():
        setattr(incident, name, value)
    _check(incident)
    if incident.status == IncidentStatus.CLOSED:
        # A closed incident stays closable: its root cause and lessons cannot be blanked.
        blockers = incident.closing_blockers()
        if blockers:
            raise ValidationError(blockers)
    return save_changes(incident, by=by, version=version, fields=list(data), m2m=m2m)


def incident_delete(incident: Incident, *, by, version: int | None = None) -> None:
    delete_record(incident, by=by, version=version)


INCIDENT_WRITES = Writes(create=incident_create, update=incident_update, delete=incident_delete)


# --- the workflow -------------------------------------------------------------------------------------
def status_moves(incident: Incident) -> dict[str, str]:
    """{target status: transition name} of the declared moves from the incident's status."""
    return {t.target: t.name for t in incident.get_all_status_transitions() if t.source == incident.status}


def transition_refusal(user, incident: Incident, status: str) -> Exception | None:
    """THE rule of moving an incident to `status`: why `user` may not now, or None. The service
    raises what it returns; the page offers exactly the moves for which it returns None."""
    if not user.has_perm("governance.change_incident", incident):
        return PermissionDenied(MSG_CANNOT_MOVE)
    current = IncidentStatus(incident.status).label
    if status == incident.status:
        return TransitionError(f"The incident is already {current.lower()}.")
    moves = status_moves(incident)
    if status not in moves:
        allowed = ", ".join(IncidentStatus(s).label.lower() for s in moves)
        return TransitionError(
            f"An incident cannot move from {current.lower()} to {IncidentStatus(status).label.lower()}; "
            f"from {current.lower()} it may move to: {allowed}."
        )
    if status == IncidentStatus.CLOSED:
        blockers = incident.closing_blockers()
        if blockers:
            return TransitionError(f"{incident.key} cannot be closed yet: {' '.join(blockers)}", details=blockers)
    return None


@transaction.atomic
def incident_transition(*, incident: Incident, by, status: str, version: int | None = None) -> Incident:
    """Move the incident along its declared workflow (open -> investigating -> mitigated -> closed,
    back one step allowed); closing needs what `Incident.closing_blockers` says."""
    if status not in IncidentStatus.values:
        choices = ", ".join(IncidentStatus.values)
        raise ValidationError({"status": f"Unknown status “{status}”. Choose one of: {choices}."})
    refusal = transition_refusal(by, incident, status)
    if refusal is not None:
        raise refusal
    previous = incident.status
    getattr(incident, status_moves(incident)[status])()
    return save_changes(
        incident,
        by=by,
        version=version,
        fields=["status"],
        event="incident.status_changed",
        extra={"from": previous, "to": status},
    )


# --- the Article 73 report ----------------------------------------------------------------------------
def report_refusal(user, incident: Incident) -> Exception | None:
    if not user.has_perm("governance.change_incident", incident):
        return PermissionDenied(MSG_CANNOT_REPORT)
    if not incident.serious:
        return TransitionError(MSG_NOT_SERIOUS)
    if incident.is_reported:
        when = timezone.localtime(incident.reported_to_authority_at).strftime("%Y-%m-%d %H:%M")
        return TransitionError(MSG_ALREADY_REPORTED.format(key=incident.key, when=when))
    return None


@transaction.atomic
def incident_report(
    *,
    incident: Incident,
    by,
    reported_at: datetime.datetime | None = None,
    authority_reference: str = "",
    version: int | None = None,
) -> Incident:
    """Record that a serious incident was reported to the market surveillance authority: when (now
    unless given; not in the future, not before detection) and the authority's reference."""
    refusal = report_refusal(by, incident)
    if refusal is not None:
        raise refusal
    reported_at = reported_at or timezone.now()
    if reported_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"reported_at": MSG_FUTURE})
    if incident.detected_at and reported_at < incident.detected_at:
        raise ValidationError({"reported_at": MSG_REPORTED_BEFORE_DETECTED})
    incident.reported_to_authority_at = reported_at
    incident.authority_reference = (authority_reference or "").strip()
    incident.reported_by = by
    return save_changes(
        incident,
        by=by,
        version=version,
        fields=list(REPORT_FIELDS),
        event="incident.reported",
        extra={"reported_at": reported_at.isoformat(), "authority_reference": incident.authority_reference},
    )


# --- raising a risk from an incident ------------------------------------------------------------------
def risk_prefill(incident: Incident) -> dict:
    """What a risk raised from `incident` starts with: its category, AI system and initiative."""
    systems = list(incident.ai_systems.all())
    system = systems[0] if systems else None
    initiative = incident.initiative or (system.initiative if system is not None else None)
    return {
        "title": incident.title,
        "description": f"Raised from incident {incident.key}: {incident.description}".strip(),
        "category": incident.category or None,
        "ai_system": system,
        "initiative": initiative,
        "owner": incident.owner,
    }


@transaction.atomic
def risk_raise_from_incident(*, incident: Incident, by, data: dict) -> Risk:
    """Create a risk (risk_create's rules) and link it to the incident; the incident's version moves
    and its `incident.updated` event names the new risk."""
    require(by, "change", incident, "You may not edit incidents.")
    risk = risk_create(by=by, data=data)
    incident.risks.add(risk)
    save_changes(incident, by=by, version=None, fields=[], extra={"risk_raised": risk.key})
    return risk
