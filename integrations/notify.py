"""Who is told about which event (PRODUCT.md, "Notifications"): one rule per case, applied by the
notifications' fan-out to every new event of the stream.

- a policy version submitted for review -> the governance reviewers (not its author);
- a policy version approved -> everyone who must acknowledge it (every active person with an account);
- a risk, mitigation, incident or milestone assigned (created with an owner, or its owner changed)
  -> that owner (a milestone's owner is its initiative's: told when one is added to their
  initiative or moved there);
- a risk accepted, a stage gate overridden, a serious incident reported -> the executives: when it
  is first recorded as serious (created serious, or marked serious later) the executives and the
  incident's owner are told with the Article 73 deadline, and the executives again when it has been
  reported to the authority;
- a webhook disabled after a day of failures -> its owner;
- a model version registered in MLflow -> the AI system's owner and governance; a registered model
  renamed or gone from the registry -> governance.
Nobody is told about their own action, and nobody twice about one event (the first rule that names
a person decides what they read). Due and overdue items stay with the daily digest.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from governance.choices import SeriousKind
from governance.models import AISystem
from initiatives.models import Initiative
from vpportal.events.models import Event
from vpportal.people.models import Person
from vpportal.permissions import EXECUTIVE, GOVERNANCE

ASSIGNABLE = {
    "governance.risk": "risk",
    "governance.mitigation": "mitigation",
    "governance.incident": "incident",
}


@dataclass
class Told:
    person_ids: set
    verb: str
    text: str


def _with_role(*roles) -> set:
    return set(
        Person.objects.active().filter(user__groups__name__in=roles, user__is_active=True).values_list("pk", flat=True)
    )


def _label(event: Event) -> str:
    data = event.data or {}
    return str(data.get("key") or data.get("title") or data.get("name") or f"#{event.object_id}")


def _previous(event: Event) -> dict:
    """The record as the event before this one of the same record showed it ({} when none)."""
    previous = (
        Event.objects.filter(object_type=event.object_type, object_id=event.object_id, pk__lt=event.pk)
        .order_by("-pk")
        .values_list("data", flat=True)
        .first()
    )
    return previous or {}


def _previous_owner(event: Event):
    return _previous(event).get("owner")


def _newly_serious(event: Event) -> bool:
    """The incident is recorded as serious by this event: created serious, or marked serious now."""
    if event.object_type != "governance.incident" or not (event.data or {}).get("serious"):
        return False
    if event.type == "incident.created":
        return True
    return event.type == "incident.updated" and not _previous(event).get("serious")


def _serious_recorded(event: Event, label: str) -> Told:
    data = event.data or {}
    kind = data.get("serious_kind")
    kind = SeriousKind(kind).label.lower() if kind in SeriousKind.values else "serious incident"
    due = parse_datetime(data.get("report_due") or "")
    due = due.astimezone(datetime.UTC) if due is not None else None
    when = f" by {due.day} {due:%b %Y, %H:%M} UTC" if due is not None else ""
    owner = data.get("owner")
    return Told(
        _with_role(EXECUTIVE) | ({owner} if owner else set()),
        "serious_incident",
        f"Serious incident {label} recorded ({kind}): it must be reported to the authority{when} (Article 73).",
    )


def recipients(event: Event) -> list[Told]:
    """Who is told about `event`, rule by rule; a person named by several hears the first only."""
    told = []
    if _newly_serious(event):
        told.append(_serious_recorded(event, _label(event)))
    other = _recipients(event)
    if other is not None:
        told.append(other)
    return told


def _recipients(event: Event) -> Told | None:
    data, label = event.data or {}, _label(event)
    if event.type == "policy_version.submitted":
        return Told(_with_role(GOVERNANCE), "review", f"Policy version {label} awaits your review.")
    if event.type == "policy_version.approved":
        people = set(Person.objects.active().filter(user__is_active=True).values_list("pk", flat=True))
        return Told(people, "acknowledge", f"Policy version {label} was approved: please read and acknowledge it.")
    if event.type == "risk.accepted":
        return Told(_with_role(EXECUTIVE), "accepted", f"Risk {label} was accepted.")
    if event.type == "initiative.stage_changed" and (data.get("action") or {}).get("override_justification"):
        to = data["action"].get("to")
        return Told(_with_role(EXECUTIVE), "gate_overridden", f"The stage gate was overridden for {label} (to {to}).")
    if event.type == "incident.reported" and data.get("serious"):
        return Told(
            _with_role(EXECUTIVE),
            "incident_reported",
            f"Serious incident {label} was reported to the authority.",
        )
    if event.type == "webhook.disabled":
        owner = data.get("owner")
        return Told(
            {owner} if owner else set(),
            "webhook_disabled",
            f"Webhook {data.get('url')} was disabled: {data.get('disabled_reason')}",
        )
    if event.type == "ai_system_version.registered":
        owner = AISystem.objects.filter(pk=data.get("ai_system")).values_list("owner_id", flat=True).first()
        name = f"{data.get('model_name')} version {data.get('model_version')}"
        return Told(
            _with_role(GOVERNANCE) | ({owner} if owner else set()),
            "version_registered",
            f"Model version {name} was registered in MLflow and awaits approval.",
        )
    if event.type == "model_source.synced":
        action = data.get("action") or {}
        renamed = ", ".join(f"{r['from']} -> {r['to']}" for r in action.get("renamed") or [])
        missing = ", ".join(action.get("missing") or [])
        if renamed or missing:
            parts = [f"renamed {renamed}" if renamed else "", f"gone from the registry: {missing}" if missing else ""]
            text = f"Model source {data.get('name')}: " + "; ".join(p for p in parts if p)
            return Told(_with_role(GOVERNANCE), "registry_changed", text[:300])
    written = event.type.endswith((".created", ".updated"))
    if event.object_type == "initiatives.milestone" and written and data.get("initiative"):
        if event.type.endswith(".created") or _previous(event).get("initiative") != data["initiative"]:
            owner = Initiative.objects.filter(pk=data["initiative"]).values_list("owner_id", flat=True).first()
            text = f"You own milestone {label} (your initiative's)."
            return Told({owner} if owner else set(), "assigned", text)
        return None
    kind = ASSIGNABLE.get(event.object_type)
    assigned = kind and written and data.get("owner")
    if assigned and (event.type.endswith(".created") or _previous(event).get("owner") != data["owner"]):
        return Told({data["owner"]}, "assigned", f"You were made the owner of {kind} {label}.")
    return None


def actor_person_id(event: Event):
    if event.actor_id is None:
        return None
    return Person.objects.filter(Q(user_id=event.actor_id)).values_list("pk", flat=True).first()
