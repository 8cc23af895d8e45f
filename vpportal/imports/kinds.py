"""What can be imported and exported, column by column, and which service writes each row.

Relations use natural keys, never database ids: a person by email, an initiative by key, a KPI by
initiative key + name, an AI system by name, a risk by key. A row whose natural key exists updates
that record (only the fields that differ); otherwise it creates one. Keys of initiatives and risks
derive from the primary key (their services' rule), so a new record from a file is created with
the primary key its key names when that key is free: an export imported into an empty database
gets the same keys back.

Choices are written as their stored values; an import also accepts their labels.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance.choices import EUAIActTier, Lifecycle, RiskCategory, RiskStatus, SystemKind
from governance.models import AISystem, Risk
from governance.services import risks as risk_services
from initiatives.choices import Cadence, Direction, Health, Stage
from initiatives.models import KPI, Initiative, KPIMeasurement
from initiatives.services import portfolio
from vpportal.people.choices import CareerLevel, Function
from vpportal.people.models import Person
from vpportal.people.services import person_create, person_update

IMPORTED = "Imported from a file (stage restored)."


class RowError(Exception):
    """Errors of one row: {column: [messages]}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# --- cell parsing -------------------------------------------------------------------------------
def _text(row, name):
    return (row.get(name) or "").strip()


def _choice(row, name, choices, errors, default=None):
    value = _text(row, name)
    if not value:
        return default
    by_label = {str(label).lower(): v for v, label in choices.choices}
    if value in choices.values:
        return value
    if value.lower() in by_label:
        return by_label[value.lower()]
    errors[name] = [f"“{value}” is not one of: {', '.join(choices.values)}."]
    return None


def _date(row, name, errors):
    value = _text(row, name)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        errors[name] = [f"“{value}” is not a date (YYYY-MM-DD)."]
        return None


def _datetime(row, name, errors):
    value = _text(row, name)
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        errors[name] = [f"“{value}” is not a date and time (ISO 8601)." if value else "Required."]
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _int(row, name, errors):
    value = _text(row, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors[name] = [f"“{value}” is not a whole number."]
        return None


def _decimal(row, name, errors):
    value = _text(row, name)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        errors[name] = [f"“{value}” is not a number."]
        return None
    if not number.is_finite():
        errors[name] = ["Enter a finite number."]
        return None
    return number


def _float(row, name, errors):
    value = _text(row, name)
    try:
        number = float(value)
    except ValueError:
        errors[name] = [f"“{value}” is not a number." if value else "Required."]
        return None
    if not math.isfinite(number):
        errors[name] = ["Enter a finite number."]
        return None
    return number


def _bool(row, name, errors, default=False):
    value = _text(row, name).lower()
    if not value:
        return default
    if value in ("yes", "true", "1", "y"):
        return True
    if value in ("no", "false", "0", "n"):
        return False
    errors[name] = [f"“{value}” is not yes or no."]
    return None


def _list(row, name):
    return [v.strip() for v in _text(row, name).split(",") if v.strip()]


def _required(row, name, errors):
    value = _text(row, name)
    if not value:
        errors[name] = ["Required."]
    return value


# --- natural keys (looked up once per import: `cache`) --------------------------------------------
def _person(row, name, errors, cache):
    email = _text(row, name).lower()
    if not email:
        return None
    found = cache.setdefault("person", {})
    if email not in found:
        found[email] = Person.objects.filter(email=email).first()
    if found[email] is None:
        errors[name] = [f"No person with the email {email}."]
    return found[email]


def _initiative(row, name, errors, cache):
    key = _text(row, name).upper()
    if not key:
        return None
    found = cache.setdefault("initiative", {})
    if key not in found:
        found[key] = Initiative.objects.filter(key=key).first()
    if found[key] is None:
        errors[name] = [f"No initiative with the key {key}."]
    return found[key]


def _kpi(row, errors, cache):
    initiative_key, name = _text(row, "initiative_key").upper(), _text(row, "kpi_name")
    if not name:
        errors["kpi_name"] = ["Required."]
        return None
    found = cache.setdefault("kpi", {})
    if (initiative_key, name) not in found:
        kpis = KPI.objects.filter(name=name)
        kpis = kpis.filter(initiative__key=initiative_key) if initiative_key else kpis.filter(initiative__isnull=True)
        found[(initiative_key, name)] = kpis.order_by("pk").first()
    if found[(initiative_key, name)] is None:
        errors["kpi_name"] = [f"No KPI “{name}” on {initiative_key or 'the organisation'}."]
    return found[(initiative_key, name)]


def _ai_system(row, name, errors, cache):
    value = _text(row, name)
    if not value:
        return None
    found = cache.setdefault("ai_system", {})
    if value not in found:
        found[value] = AISystem.objects.filter(name=value).order_by("pk").first()
    if found[value] is None:
        errors[name] = [f"No AI system named “{value}”."]
    return found[value]


def _free_pk(model, key: str, prefix: str):
    """The primary key a key like INI-0007 derives from, when no record uses it yet."""
    number = key.removeprefix(prefix)
    if not key.startswith(prefix) or not number.isdigit():
        return None
    pk = int(number)
    return None if model._base_manager.filter(pk=pk).exists() else pk


def _changed(obj, data: dict) -> dict:
    """Only the fields whose value differs from the record's (relations compared by id)."""
    changed = {}
    for name, value in data.items():
        current = getattr(obj, name)
        if hasattr(current, "pk") or hasattr(value, "pk"):
            same = getattr(current, "pk", current) == getattr(value, "pk", value)
        elif isinstance(current, Decimal) and value is not None:
            same = current == Decimal(value)
        else:
            same = current == value
        if not same:
            changed[name] = value
    return changed


def _email(person):
    return person.email if person is not None else ""


def _key(record):
    return record.key if record is not None else ""


def _iso(value):
    return value.isoformat() if value is not None else ""


def _num(value):
    if value is None:
        return ""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


# --- the kinds -------------------------------------------------------------------------------------
@dataclass
class Kind:
    slug: str
    label: str
    model: type
    columns: tuple[str, ...]

    def queryset(self):
        return self.model.objects.all()

    def export_row(self, obj) -> list:  # pragma: no cover - each kind defines it
        raise NotImplementedError

    def parse(self, row: dict, cache: dict) -> tuple[object, dict]:  # pragma: no cover
        raise NotImplementedError

    def create(self, data: dict, *, by, row: dict, cache: dict):  # pragma: no cover
        raise NotImplementedError

    def update(self, obj, data: dict, *, by):  # pragma: no cover
        raise NotImplementedError

    def is_unchanged(self, obj, data: dict) -> bool:
        return not _changed(obj, {k: v for k, v in data.items() if not k.startswith("_")})

    def finish(self, *, by, cache: dict) -> None:
        """Writes that need every row in first (references to rows further down the file)."""


class PeopleKind(Kind):
    def queryset(self):
        return Person.objects.select_related("manager").order_by("email")

    def export_row(self, p):
        return [p.email, p.name, p.title, p.function, p.career_level, _email(p.manager), "yes" if p.active else "no"]

    def parse(self, row, cache):
        errors = {}
        email = _required(row, "email", errors).lower()
        data = {
            "email": email,
            "name": _required(row, "name", errors),
            "title": _text(row, "title"),
            "function": _choice(row, "function", Function, errors, Function.OTHER),
            "career_level": _choice(row, "career_level", CareerLevel, errors, CareerLevel.ENGINEER_1),
            "active": _bool(row, "active", errors, default=True),
        }
        manager_email = _text(row, "manager_email").lower()
        if manager_email in cache.get("file_emails", ()) and not Person.objects.filter(email=manager_email).exists():
            # The manager is a row further down: set once every row is in (finish()).
            cache.setdefault("managers", {})[email] = manager_email
        else:
            data["manager"] = _person(row, "manager_email", errors, cache)
        if errors:
            raise RowError(errors)
        return Person.objects.filter(email=email).first(), data

    def create(self, data, *, by, row, cache):
        person = person_create(by=by, data=data)
        cache.setdefault("person", {})[person.email] = person
        return person

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return person_update(obj, by=by, data=changed) if changed else obj

    def finish(self, *, by, cache):
        for email, manager_email in cache.get("managers", {}).items():
            person = Person.objects.get(email=email)
            person_update(person, by=by, data={"manager": Person.objects.get(email=manager_email)})


class InitiativeKind(Kind):
    def queryset(self):
        return Initiative.objects.select_related("owner", "executive_sponsor").order_by("key")

    def export_row(self, i):
        return [
            i.key,
            i.title,
            i.summary,
            i.business_objective,
            i.value_hypothesis,
            i.stage,
            i.health,
            i.priority,
            _email(i.owner),
            _email(i.executive_sponsor),
            ",".join(i.partner_functions),
            ",".join(i.tags),
            _iso(i.start_date),
            _iso(i.target_date),
            _num(i.budget),
            i.currency,
        ]

    def parse(self, row, cache):
        errors = {}
        key = _text(row, "key").upper()
        data = {
            "title": _required(row, "title", errors),
            "summary": _text(row, "summary"),
            "business_objective": _text(row, "business_objective"),
            "value_hypothesis": _text(row, "value_hypothesis"),
            "health": _choice(row, "health", Health, errors, Health.ON_TRACK),
            "priority": _int(row, "priority", errors) or 3,
            "owner": _person(row, "owner_email", errors, cache),
            "executive_sponsor": _person(row, "executive_sponsor_email", errors, cache),
            "partner_functions": _list(row, "partner_functions"),
            "tags": _list(row, "tags"),
            "start_date": _date(row, "start_date", errors),
            "target_date": _date(row, "target_date", errors),
            "budget": _decimal(row, "budget", errors),
            "currency": _text(row, "currency").upper() or "EUR",
        }
        stage = _choice(row, "stage", Stage, errors, Stage.IDEA)
        if not _text(row, "owner_email"):
            errors["owner_email"] = ["Required."]
        if errors:
            raise RowError(errors)
        data["_stage"], data["_key"] = stage, key
        return (Initiative.objects.filter(key=key).first() if key else None), data

    def _move(self, initiative, stage, by):
        """Reach `stage` through the stage service one allowed move at a time; where the gate
        refuses, the importing executive's override is recorded with the reason IMPORTED."""
        path = portfolio.STAGE_PATH
        while initiative.stage != stage:
            current = initiative.stage
            if stage == Stage.RETIRED or current == Stage.RETIRED:
                step = Stage.RETIRED if stage == Stage.RETIRED else Stage.IDEA
            else:
                step = path[path.index(current) + (1 if path.index(stage) > path.index(current) else -1)]
            initiative = portfolio.initiative_transition(
                initiative=initiative, by=by, stage=step, override_justification=IMPORTED
            )
        return initiative

    def create(self, data, *, by, row, cache):
        stage, key = data.pop("_stage"), data.pop("_key")
        pk = _free_pk(Initiative, key, "INI-") if key else None
        if pk is not None:
            data["id"] = pk
        initiative = portfolio.initiative_create(by=by, data=data)
        cache.setdefault("initiative", {})[key or initiative.key] = initiative
        return self._move(initiative, stage, by)

    def update(self, obj, data, *, by):
        stage = data.pop("_stage")
        data.pop("_key")
        changed = _changed(obj, data)
        if changed:
            obj = portfolio.initiative_update(obj, by=by, data=changed)
        return self._move(obj, stage, by)

    def is_unchanged(self, obj, data):
        return obj.stage == data["_stage"] and super().is_unchanged(obj, data)


class KPIKind(Kind):
    def queryset(self):
        return KPI.objects.select_related("initiative", "owner").order_by("initiative__key", "name", "pk")

    def export_row(self, k):
        return [
            _key(k.initiative),
            k.name,
            k.description,
            k.unit,
            k.direction,
            _num(k.baseline),
            _num(k.target),
            _num(k.warning_threshold),
            k.cadence,
            _email(k.owner),
        ]

    def parse(self, row, cache):
        errors = {}
        name = _required(row, "name", errors)
        initiative = _initiative(row, "initiative_key", errors, cache)
        data = {
            "initiative": initiative,
            "name": name,
            "description": _text(row, "description"),
            "unit": _text(row, "unit"),
            "direction": _choice(row, "direction", Direction, errors, Direction.HIGHER_IS_BETTER),
            "baseline": _decimal(row, "baseline", errors),
            "target": _decimal(row, "target", errors),
            "warning_threshold": _decimal(row, "warning_threshold", errors),
            "cadence": _choice(row, "cadence", Cadence, errors, Cadence.MONTHLY),
            "owner": _person(row, "owner_email", errors, cache),
        }
        if errors:
            raise RowError(errors)
        existing = KPI.objects.filter(name=name, initiative=initiative).order_by("pk").first()
        return existing, data

    def create(self, data, *, by, row, cache):
        return portfolio.kpi_create(by=by, data=data)

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return portfolio.kpi_update(obj, by=by, data=changed) if changed else obj


class MeasurementKind(Kind):
    def queryset(self):
        return KPIMeasurement.objects.select_related("kpi__initiative").order_by("kpi__name", "kpi_id", "observed_at")

    def export_row(self, m):
        return [_key(m.kpi.initiative), m.kpi.name, m.observed_at.isoformat(), m.value, m.source, m.note]

    def parse(self, row, cache):
        errors = {}
        kpi = _kpi(row, errors, cache)
        data = {
            "kpi": kpi,
            "observed_at": _datetime(row, "observed_at", errors),
            "value": _float(row, "value", errors),
            "source": _text(row, "source"),
            "note": _text(row, "note"),
        }
        if errors:
            raise RowError(errors)
        existing = KPIMeasurement.objects.filter(
            kpi=kpi, observed_at=data["observed_at"], source=data["source"]
        ).first()
        return existing, data

    def create(self, data, *, by, row, cache):
        return portfolio.kpi_measurement_create(by=by, data=data)

    def update(self, obj, data, *, by):
        changed = _changed(obj, {"value": data["value"], "note": data["note"]})
        return portfolio.kpi_measurement_update(obj, by=by, data=changed) if changed else obj

    def is_unchanged(self, obj, data):
        return not _changed(obj, {"value": data["value"], "note": data["note"]})


class AISystemKind(Kind):
    TEXTS = (
        "purpose",
        "data_categories",
        "intended_use",
        "out_of_scope_uses",
        "known_limitations",
        "evaluation_summary",
    )

    def queryset(self):
        return AISystem.objects.select_related("initiative", "owner").order_by("name", "pk")

    def export_row(self, s):
        return [
            s.name,
            s.purpose,
            _key(s.initiative),
            _email(s.owner),
            s.kind,
            s.provider,
            s.lifecycle_status,
            s.eu_ai_act_tier,
            "yes" if s.processes_personal_data else "no",
            s.data_categories,
            s.intended_use,
            s.out_of_scope_uses,
            s.known_limitations,
            s.evaluation_summary,
        ]

    def parse(self, row, cache):
        errors = {}
        name = _required(row, "name", errors)
        data = {
            "name": name,
            "initiative": _initiative(row, "initiative_key", errors, cache),
            "owner": _person(row, "owner_email", errors, cache),
            "kind": _choice(row, "kind", SystemKind, errors, SystemKind.OTHER),
            "provider": _text(row, "provider") or "in-house",
            "lifecycle_status": _choice(row, "lifecycle_status", Lifecycle, errors, Lifecycle.DESIGN),
            "eu_ai_act_tier": _choice(row, "eu_ai_act_tier", EUAIActTier, errors, EUAIActTier.UNASSESSED),
            "processes_personal_data": _bool(row, "processes_personal_data", errors),
            **{name: _text(row, name) for name in self.TEXTS},
        }
        if errors:
            raise RowError(errors)
        return AISystem.objects.filter(name=name).order_by("pk").first(), data

    def create(self, data, *, by, row, cache):
        system = risk_services.aisystem_create(by=by, data=data)
        cache.setdefault("ai_system", {})[system.name] = system
        return system

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return risk_services.aisystem_update(obj, by=by, data=changed) if changed else obj


class RiskKind(Kind):
    def queryset(self):
        return Risk.objects.select_related("ai_system", "initiative", "owner").order_by("key")

    def export_row(self, r):
        return [
            r.key,
            r.title,
            r.description,
            r.category,
            r.ai_system.name if r.ai_system else "",
            _key(r.initiative),
            _email(r.owner),
            r.likelihood,
            r.impact,
            r.residual_likelihood or "",
            r.residual_impact or "",
            r.status,
            _iso(r.next_review_date),
            r.acceptance_justification,
        ]

    def parse(self, row, cache):
        errors = {}
        key = _text(row, "key").upper()
        data = {
            "title": _required(row, "title", errors),
            "description": _text(row, "description"),
            "category": _choice(row, "category", RiskCategory, errors),
            "ai_system": _ai_system(row, "ai_system_name", errors, cache),
            "initiative": _initiative(row, "initiative_key", errors, cache),
            "owner": _person(row, "owner_email", errors, cache),
            "likelihood": _int(row, "likelihood", errors),
            "impact": _int(row, "impact", errors),
            "residual_likelihood": _int(row, "residual_likelihood", errors),
            "residual_impact": _int(row, "residual_impact", errors),
            "next_review_date": _date(row, "next_review_date", errors),
        }
        if not data["category"] and "category" not in errors:
            errors["category"] = ["Required."]
        status = _choice(row, "status", RiskStatus, errors, RiskStatus.IDENTIFIED)
        justification = _text(row, "acceptance_justification")
        if status == RiskStatus.ACCEPTED and not justification:
            errors["acceptance_justification"] = ["An accepted risk needs its justification."]
        if errors:
            raise RowError(errors)
        data["_status"], data["_key"], data["_justification"] = status, key, justification
        return (Risk.objects.filter(key=key).first() if key else None), data

    def _settle(self, risk, status, justification, by):
        # Acceptance is its own action (who, when, why), through the risk service.
        if status == RiskStatus.ACCEPTED and risk.status != RiskStatus.ACCEPTED:
            risk = risk_services.risk_accept(risk=risk, by=by, justification=justification)
        return risk

    def create(self, data, *, by, row, cache):
        status, key, justification = data.pop("_status"), data.pop("_key"), data.pop("_justification")
        pk = _free_pk(Risk, key, "RSK-") if key else None
        if pk is not None:
            data["id"] = pk
        data["status"] = RiskStatus.IDENTIFIED if status == RiskStatus.ACCEPTED else status
        return self._settle(risk_services.risk_create(by=by, data=data), status, justification, by)

    def update(self, obj, data, *, by):
        status, justification = data.pop("_status"), data.pop("_justification")
        data.pop("_key")
        if status != RiskStatus.ACCEPTED:
            data["status"] = status
        changed = _changed(obj, data)
        if changed:
            obj = risk_services.risk_update(obj, by=by, data=changed)
        return self._settle(obj, status, justification, by)

    def is_unchanged(self, obj, data):
        return obj.status == data["_status"] and super().is_unchanged(obj, data)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        PeopleKind(
            "people",
            "People",
            Person,
            ("email", "name", "title", "function", "career_level", "manager_email", "active"),
        ),
        InitiativeKind(
            "initiatives",
            "Initiatives",
            Initiative,
            (
                "key",
                "title",
                "summary",
                "business_objective",
                "value_hypothesis",
                "stage",
                "health",
                "priority",
                "owner_email",
                "executive_sponsor_email",
                "partner_functions",
                "tags",
                "start_date",
                "target_date",
                "budget",
                "currency",
            ),
        ),
        AISystemKind(
            "ai-systems",
            "AI systems",
            AISystem,
            (
                "name",
                "purpose",
                "initiative_key",
                "owner_email",
                "kind",
                "provider",
                "lifecycle_status",
                "eu_ai_act_tier",
                "processes_personal_data",
                "data_categories",
                "intended_use",
                "out_of_scope_uses",
                "known_limitations",
                "evaluation_summary",
            ),
        ),
        KPIKind(
            "kpis",
            "KPIs",
            KPI,
            (
                "initiative_key",
                "name",
                "description",
                "unit",
                "direction",
                "baseline",
                "target",
                "warning_threshold",
                "cadence",
                "owner_email",
            ),
        ),
        MeasurementKind(
            "kpi-measurements",
            "KPI measurements",
            KPIMeasurement,
            ("initiative_key", "kpi_name", "observed_at", "value", "source", "note"),
        ),
        RiskKind(
            "risks",
            "Risks",
            Risk,
            (
                "key",
                "title",
                "description",
                "category",
                "ai_system_name",
                "initiative_key",
                "owner_email",
                "likelihood",
                "impact",
                "residual_likelihood",
                "residual_impact",
                "status",
                "next_review_date",
                "acceptance_justification",
            ),
        ),
    )
}


def kind_for_model(model) -> Kind | None:
    return next((k for k in KINDS.values() if k.model is model), None)
