"""What can be imported and exported, column by column, and which service writes each row.

Relations use natural keys, never database ids: a person by email, an initiative by key, a KPI by
initiative key + name, an AI system by name, a risk by key. A row whose natural key exists updates
that record (only the fields that differ); otherwise it creates one. Keys of initiatives and risks
derive from the primary key (their services' rule), so a new record from a file is created with
the primary key its key names when that key is free: an export imported into an empty database
gets the same keys back.

Choices are written as their stored values; an import also accepts their labels.

Every row is written by the same services the pages and the API call, so an import reaches no state
the API would refuse: an initiative's stage moves by its declared transitions through the stage gate
and is never overridden (a refused move is the row's error); a risk is accepted only through
`risk_accept` (who may, with its justification) and changes status by its declared transitions.
"""

from dataclasses import dataclass

from governance.choices import EUAIActTier, Lifecycle, RiskCategory, RiskStatus, SystemKind
from governance.models import AISystem, Risk
from governance.services import risks as risk_services
from initiatives.choices import Cadence, Direction, Health, Stage
from initiatives.models import KPI, Initiative, KPIMeasurement
from initiatives.services import portfolio
from vpportal.core.services import TransitionError
from vpportal.people.choices import CareerLevel, Function
from vpportal.people.models import Person
from vpportal.people.services import person_create, person_update

from .cells import (  # noqa: F401  (RowError is part of this module's interface)
    RowError,
    _ai_system,
    _bool,
    _changed,
    _choice,
    _date,
    _datetime,
    _decimal,
    _email,
    _float,
    _free_pk,
    _initiative,
    _int,
    _iso,
    _key,
    _kpi,
    _list,
    _num,
    _person,
    _required,
    _text,
)


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
            "yes" if i.uses_ai else "no",
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
            "uses_ai": _bool(row, "uses_ai", errors, default=True),
        }
        stage = _choice(row, "stage", Stage, errors, Stage.IDEA)
        if not _text(row, "owner_email"):
            errors["owner_email"] = ["Required."]
        if errors:
            raise RowError(errors)
        data["_stage"], data["_key"] = stage, key
        return (Initiative.objects.filter(key=key).first() if key else None), data

    def _move(self, initiative, stage, by):
        """Reach `stage` by the declared moves the stage service names, each through
        `initiative_transition` as on the page or the API: the gate holds and an import never
        overrides it, so a refused move is the row's error (and the row writes nothing)."""
        for step in portfolio.stage_path(initiative.stage, stage):
            try:
                initiative = portfolio.initiative_transition(initiative=initiative, by=by, stage=step)
            except TransitionError as refused:
                raise RowError({"stage": [refused.message, *refused.details]}) from refused
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
                "uses_ai",
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
