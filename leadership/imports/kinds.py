"""What can be imported and exported, and which service writes each row. The columns and how each
cell reads and writes come from the model's spec (its app's `specs` module); a kind adds how a row
finds its record and which services write it.

Relations use natural keys, never database ids: a person by email, an initiative by key, a KPI by
initiative key + name, an AI system or a vendor by name, a risk or an incident by key. A row whose natural key exists updates
that record (only the fields that differ); otherwise it creates one. Keys of initiatives and risks
derive from the primary key (their services' rule), so a new record from a file is created with
the primary key its key names when that key is free: an export imported into an empty database
gets the same keys back.

Choices are written as their labels (a list of choices too: "Finance, Legal"); an import reads
labels and stored values alike.

Every row is written by the same services the pages and the API call, so an import reaches no state
the API would refuse: an initiative's stage moves by its declared transitions through the stage gate
and is never overridden (a refused move is the row's error); a risk is accepted only through
`risk_accept` (who may, with its justification) and changes status by its declared transitions.
"""

from dataclasses import dataclass

from governance.choices import IncidentStatus, RiskStatus
from governance.models import Incident, Risk
from governance.services import incidents as incident_services
from governance.services import risks as risk_services
from governance.services import vendors as vendor_services
from governance.specs import AI_SYSTEM, INCIDENT, RISK, VENDOR
from initiatives.models import KPI, Initiative, KPIMeasurement
from initiatives.services import portfolio
from initiatives.specs import INITIATIVE, KPI_SPEC, MEASUREMENT
from vpportal.core.fieldspec import FieldSpec, RowError, cell
from vpportal.core.services import TransitionError
from vpportal.people.models import Person
from vpportal.people.services import person_create, person_update
from vpportal.people.specs import PERSON, PERSON_KEY

from .cells import _changed, _free_pk


# --- the kinds -------------------------------------------------------------------------------------
@dataclass
class Kind:
    """An importable model: its file columns and cells come from its spec; a kind adds how a row
    finds its record and which services write it."""

    slug: str
    label: str
    spec: FieldSpec

    @property
    def model(self):
        return self.spec.model

    @property
    def columns(self) -> tuple[str, ...]:
        return self.spec.file_columns()

    def queryset(self):
        return self.model.objects.all()

    def export_row(self, obj) -> list:
        return self.spec.file_row(obj)

    def read(self, row: dict, cache: dict, skip=()) -> dict:
        """The row's values by field name; raises RowError listing every problem of the row."""
        errors = {}
        data = self.spec.read_row(row, cache, errors, skip=skip)
        self.check(data, errors)
        if errors:
            raise RowError(errors)
        return data

    def check(self, data: dict, errors: dict) -> None:
        """Problems of the row as a whole (beyond one cell's)."""

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

    def parse(self, row, cache):
        email = cell(row, "email").lower()
        manager_email = cell(row, "manager_email").lower()
        # The manager is a row further down: set once every row is in (finish()).
        later = (
            manager_email in cache.get("file_emails", ()) and not Person.objects.filter(email=manager_email).exists()
        )
        data = self.read(row, cache, skip=("manager",) if later else ())
        if later:
            cache.setdefault("managers", {})[email] = manager_email
        return Person.objects.filter(email=email).first(), data

    def create(self, data, *, by, row, cache):
        person = person_create(by=by, data=data)
        cache.setdefault(PERSON_KEY.cache_name, {})[person.email] = person
        return person

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return person_update(obj, by=by, data=changed) if changed else obj

    def finish(self, *, by, cache):
        for email, manager_email in cache.get("managers", {}).items():
            person = Person.objects.get(email=email)
            person_update(person, by=by, data={"manager": Person.objects.get(email=manager_email)})


class KeyedKind(Kind):
    """A kind whose row finds its record by `key` and whose `writes` write it. The key derives from
    the primary key (`key_prefix` and the id, the service's rule): a new record takes the primary key
    its key names when that key is free. The `state` field (a stage or a status) is never written:
    `_move` reaches it by the declared workflow, so a refused move is the row's error. A created
    record is cached under `cache_key`, when set, for the rows that name it."""

    writes = None
    key_prefix = ""
    state = "status"
    cache_key = ""

    def parse(self, row, cache):
        data = self.read(row, cache)
        data["_state"], data["_key"] = data.pop(self.state), data.pop("key")
        key = data["_key"]
        return (self.model.objects.filter(key=key).first() if key else None), data

    def _move(self, record, state, by):  # pragma: no cover
        raise NotImplementedError

    def changes(self, obj, data: dict) -> dict:
        return _changed(obj, data)

    def create(self, data, *, by, row, cache):
        state, key = data.pop("_state"), data.pop("_key")
        pk = _free_pk(self.model, key, self.key_prefix) if key else None
        if pk is not None:
            data["id"] = pk
        record = self.writes.create(by=by, data=data)
        if self.cache_key:
            cache.setdefault(self.cache_key, {})[key or record.key] = record
        return self._move(record, state, by)

    def update(self, obj, data, *, by):
        state = data.pop("_state")
        data.pop("_key")
        changed = self.changes(obj, data)
        if changed:
            obj = self.writes.update(obj, by=by, data=changed)
        return self._move(obj, state, by)

    def is_unchanged(self, obj, data):
        rest = {k: v for k, v in data.items() if not k.startswith("_")}
        return getattr(obj, self.state) == data["_state"] and not self.changes(obj, rest)


class InitiativeKind(KeyedKind):
    writes = portfolio.INITIATIVE_WRITES
    key_prefix = "INI-"
    state = "stage"
    cache_key = "initiative"

    def queryset(self):
        return Initiative.objects.select_related("owner", "executive_sponsor").order_by("key")

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


class KPIKind(Kind):
    def queryset(self):
        return KPI.objects.select_related("initiative", "owner").order_by("initiative__key", "name", "pk")

    def parse(self, row, cache):
        data = self.read(row, cache)
        existing = KPI.objects.filter(name=data["name"], initiative=data["initiative"]).order_by("pk").first()
        return existing, data

    def create(self, data, *, by, row, cache):
        return portfolio.kpi_create(by=by, data=data)

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return portfolio.kpi_update(obj, by=by, data=changed) if changed else obj


class MeasurementKind(Kind):
    def queryset(self):
        return KPIMeasurement.objects.select_related("kpi__initiative").order_by("kpi__name", "kpi_id", "observed_at")

    def parse(self, row, cache):
        data = self.read(row, cache)
        existing = KPIMeasurement.objects.filter(
            kpi=data["kpi"], observed_at=data["observed_at"], source=data["source"]
        ).first()
        return existing, data

    def create(self, data, *, by, row, cache):
        return portfolio.kpi_measurement_create(by=by, data=data)

    def update(self, obj, data, *, by):
        changed = _changed(obj, {"value": data["value"], "note": data["note"]})
        return portfolio.kpi_measurement_update(obj, by=by, data=changed) if changed else obj

    def is_unchanged(self, obj, data):
        return not _changed(obj, {"value": data["value"], "note": data["note"]})


class NamedKind(Kind):
    """A kind whose row finds its record by `name` (the oldest of that name) and whose `writes`
    write it; a created record is cached under `cache_key` for the rows that name it."""

    writes = None
    related: tuple[str, ...] = ()
    cache_key = ""

    def queryset(self):
        return self.model.objects.select_related(*self.related).order_by("name", "pk")

    def parse(self, row, cache):
        data = self.read(row, cache)
        return self.model.objects.filter(name=data["name"]).order_by("pk").first(), data

    def create(self, data, *, by, row, cache):
        record = self.writes.create(by=by, data=data)
        cache.setdefault(self.cache_key, {})[record.name] = record
        return record

    def update(self, obj, data, *, by):
        changed = _changed(obj, data)
        return self.writes.update(obj, by=by, data=changed) if changed else obj


class AISystemKind(NamedKind):
    writes = risk_services.AISYSTEM_WRITES
    related = ("initiative", "owner")
    cache_key = "ai_system"


class RiskKind(Kind):
    def queryset(self):
        return Risk.objects.select_related("ai_system", "initiative", "owner").order_by("key")

    def check(self, data, errors):
        if data["status"] == RiskStatus.ACCEPTED and not data["acceptance_justification"]:
            errors["acceptance_justification"] = ["An accepted risk needs its justification."]

    def parse(self, row, cache):
        data = self.read(row, cache)
        data["_status"], data["_key"] = data.pop("status"), data.pop("key")
        data["_justification"] = data.pop("acceptance_justification")
        key = data["_key"]
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


class VendorKind(NamedKind):
    writes = vendor_services.VENDOR_WRITES
    related = ("owner",)
    cache_key = "vendor"


STATUS_ORDER = list(IncidentStatus.values)  # open, investigating, mitigated, closed: one step at a time


def _incident_changes(obj, data: dict) -> dict:
    """_changed for an incident: its AI systems compared as a set of ids."""
    systems = data.get("ai_systems")
    changed = _changed(obj, {k: v for k, v in data.items() if k != "ai_systems"})
    if systems is not None and {s.pk for s in systems} != set(obj.ai_systems.values_list("pk", flat=True)):
        changed["ai_systems"] = systems
    return changed


class IncidentKind(KeyedKind):
    """Incidents by key. The status moves by the declared workflow, one step at a time, each through
    `incident_transition` (closing needs what it always needs; a refused move is the row's error);
    the Article 73 report is recorded by its action on the page or the API, never by a file."""

    writes = incident_services.INCIDENT_WRITES
    key_prefix = "INC-"

    def queryset(self):
        return Incident.objects.select_related("initiative", "owner").prefetch_related("ai_systems").order_by("key")

    def changes(self, obj, data):
        return _incident_changes(obj, data)

    def _move(self, incident, status, by):
        current, target = STATUS_ORDER.index(incident.status), STATUS_ORDER.index(status)
        step = 1 if target > current else -1
        for index in range(current + step, target + step, step) if target != current else ():
            try:
                incident = incident_services.incident_transition(incident=incident, by=by, status=STATUS_ORDER[index])
            except TransitionError as refused:
                raise RowError({"status": [refused.message, *refused.details]}) from refused
        return incident


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        PeopleKind("people", "People", PERSON),
        InitiativeKind("initiatives", "Initiatives", INITIATIVE),
        VendorKind("vendors", "Vendors", VENDOR),
        AISystemKind("ai-systems", "AI systems", AI_SYSTEM),
        KPIKind("kpis", "KPIs", KPI_SPEC),
        MeasurementKind("kpi-measurements", "KPI measurements", MEASUREMENT),
        RiskKind("risks", "Risks", RISK),
        IncidentKind("incidents", "Incidents", INCIDENT),
    )
}


def kind_for_model(model) -> Kind | None:
    return next((k for k in KINDS.values() if k.model is model), None)
