"""My work: what the home page shows every signed-in person with a role, whatever the role.

What is assigned to me (the records I own, the milestones of my initiatives), what is due for me
(the due queue's own `due_items(mine=True)`, leadership/due.py), the policies I still have to
acknowledge (`PolicyQuerySet.to_acknowledge_by`), my mentorships (as mentor or mentee) and my
trainings. Each block reads through the area's `visible_to(user)` and its QuerySet rules (`open()`,
`involving()`, `upcoming_first()`), shows its first few rows and links to the full filtered list
that counts the same records (the tests compare each count with its list).

Bounded queries: every count in one statement (`count_together`), then one query per block that
has rows, plus the due queue's one per kind; never one per row.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone

from governance.choices import IncidentStatus, Lifecycle, MitigationStatus, RiskStatus
from governance.models import AISystem, Incident, Mitigation, Policy, Risk, Vendor
from governance.querysets import DONE_MITIGATION_STATUSES
from initiatives.choices import AttendanceStatus, MilestoneStatus, Stage
from initiatives.models import KPI, Initiative, Mentorship, Milestone, Training
from leadership.dashboard.metrics import list_url
from leadership.due import DueItem, due_items
from vpportal.core.counting import count_together
from vpportal.people.models import Person
from vpportal.permissions import has_any_role

ROWS = 5  # rows shown in a block before its "see all"
ASSIGNED_ROWS = 3  # per kind of record in "Assigned to me" (up to nine kinds)
DUE_ROWS = 6


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


@dataclass
class Row:
    label: str
    url: str
    note: str = ""  # a short fact beside the link (a date, a status)
    alert: bool = False  # overdue or otherwise needing attention first
    kind: str = ""  # what kind of record, where a block mixes kinds (what is due)


@dataclass
class Block:
    key: str
    title: str
    count: int
    url: str  # the full filtered list ("see all")
    rows: list[Row] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


@dataclass(frozen=True)
class Assigned:
    """One kind of record a person is responsible for: its records for `person` as `user` sees
    them, and the list URL (name and filter parameters) that shows the same records."""

    key: str
    title: str
    list_name: str
    records: Callable[[object, Person], QuerySet]
    params: Callable[[Person], dict]
    row: Callable[[object, datetime.date], Row]


def _open(choices, *done) -> list[str]:
    return [choice.value for choice in choices if choice not in done]


def _initiative_row(i, today):
    return Row(
        str(i), i.get_absolute_url(), f"{i.get_stage_display()} · {i.get_health_display()}", i.health != "on_track"
    )


def _milestone_row(m, today):
    overdue = m.due_date is not None and m.due_date < today
    note = f"{'overdue since' if overdue else 'due'} {_day(m.due_date)}" if m.due_date else m.get_status_display()
    return Row(f"{m.initiative.key} {m.title}", m.get_absolute_url(), note, overdue)


def _risk_row(r, today):
    overdue = r.next_review_date is not None and r.next_review_date < today
    review = f" · review {'overdue since ' if overdue else ''}{_day(r.next_review_date)}" if r.next_review_date else ""
    return Row(
        str(r), r.get_absolute_url(), f"{r.get_residual_level_display() or r.get_status_display()}{review}", overdue
    )


def _mitigation_row(m, today):
    overdue = m.due_date is not None and m.due_date < today
    note = f"{'overdue since' if overdue else 'due'} {_day(m.due_date)}" if m.due_date else m.get_status_display()
    return Row(f"{m.risk.key}: {m}", m.get_absolute_url(), note, overdue)


def _incident_row(i, today):
    return Row(
        str(i),
        i.get_absolute_url(),
        f"{i.get_severity_display()} · {i.get_status_display()}",
        i.severity in ("high", "critical"),
    )


def _plain_row(note: Callable = lambda obj: ""):
    return lambda obj, today: Row(str(obj), obj.get_absolute_url(), note(obj))


OPEN_STAGES = _open(Stage, Stage.RETIRED)
OPEN_MILESTONES = _open(MilestoneStatus, MilestoneStatus.DONE, MilestoneStatus.CANCELLED)
OPEN_RISKS = _open(RiskStatus, RiskStatus.ACCEPTED, RiskStatus.CLOSED)
OPEN_MITIGATIONS = _open(MitigationStatus, *DONE_MITIGATION_STATUSES)
OPEN_INCIDENTS = _open(IncidentStatus, IncidentStatus.CLOSED)
LIVE_SYSTEMS = _open(Lifecycle, Lifecycle.RETIRED)


def _mine(key, title, list_name, records, row, *, by="owner", **open_params) -> Assigned:
    """The records of `records(user)` whose `by` is the person; their list filters by the same field
    (`by=<pk>`) and by `open_params` (the statuses `records` leaves out)."""
    return Assigned(
        key, title, list_name, lambda user, p: records(user).filter(**{by: p}), lambda p: {by: p.pk, **open_params}, row
    )


def _open_initiatives(user):
    return Initiative.objects.visible_to(user).exclude(stage=Stage.RETIRED)


# In the order the home page lists them. The open statuses of each list's URL are the complement of
# what the area's QuerySet calls done (`open()`, DONE_MITIGATION_STATUSES); the tests compare counts.
ASSIGNED = (
    _mine(
        "initiatives",
        "Initiatives I own",
        "initiatives:initiative_list",
        _open_initiatives,
        _initiative_row,
        stage=OPEN_STAGES,
    ),
    _mine(
        "sponsored",
        "Initiatives I sponsor",
        "initiatives:initiative_list",
        _open_initiatives,
        _initiative_row,
        by="executive_sponsor",
        stage=OPEN_STAGES,
    ),
    Assigned(
        "milestones",
        "Open milestones of my initiatives",
        "initiatives:milestone_list",
        lambda user, p: (
            Milestone.objects.visible_to(user).open().filter(initiative__owner=p).select_related("initiative")
        ),
        lambda p: {"initiative_owner": p.pk, "status": OPEN_MILESTONES},
        _milestone_row,
    ),
    _mine(
        "kpis",
        "KPIs I own",
        "initiatives:kpi_list",
        lambda user: KPI.objects.visible_to(user),
        _plain_row(lambda k: k.get_cadence_display()),
    ),
    _mine(
        "ai_systems",
        "AI systems I own",
        "governance:aisystem_list",
        lambda user: AISystem.objects.visible_to(user).exclude(lifecycle_status=Lifecycle.RETIRED),
        _plain_row(lambda s: s.get_lifecycle_status_display()),
        lifecycle_status=LIVE_SYSTEMS,
    ),
    _mine(
        "risks",
        "Open risks I own",
        "governance:risk_list",
        lambda user: Risk.objects.visible_to(user).open().order_by("next_review_date", "pk"),
        _risk_row,
        status=OPEN_RISKS,
    ),
    _mine(
        "mitigations",
        "Open mitigations I own",
        "governance:mitigation_list",
        lambda user: (
            Mitigation.objects.visible_to(user).exclude(status__in=DONE_MITIGATION_STATUSES).select_related("risk")
        ),
        _mitigation_row,
        status=OPEN_MITIGATIONS,
    ),
    _mine(
        "incidents",
        "Open incidents I own",
        "governance:incident_list",
        lambda user: Incident.objects.visible_to(user).open().order_by("-detected_at", "pk"),
        _incident_row,
        status=OPEN_INCIDENTS,
    ),
    _mine(
        "policies",
        "Policies I own",
        "governance:policy_list",
        lambda user: Policy.objects.visible_to(user),
        _plain_row(lambda p: f"review {_day(p.next_review_date)}" if p.next_review_date else ""),
    ),
    _mine(
        "vendors",
        "Vendors I own",
        "governance:vendor_list",
        lambda user: Vendor.objects.visible_to(user),
        _plain_row(lambda v: v.get_status_display()),
    ),
)


@dataclass
class MyWork:
    person: Person
    assigned: list[Block]  # the kinds with at least one record
    due: Block
    to_acknowledge: Block
    mentorships: Block
    trainings: Block

    @property
    def assigned_count(self) -> int:
        return sum(block.count for block in self.assigned)


def _due_block(due: list[DueItem]) -> Block:
    rows = [
        Row(
            item.title,
            item.url,
            f"{'overdue since' if item.overdue else 'due'} {_day(item.due)}",
            item.overdue or item.urgent,
            kind=item.kind_label,
        )
        for item in due[:DUE_ROWS]
    ]
    return Block("due", "Due for me", len(due), f"{reverse('due')}?mine=1", rows)


def _mentorship_row(m, person) -> Row:
    as_mentor = m.mentor_id == person.pk
    other = m.mentee if as_mentor else m.mentor
    last = f" · last session {_day(m.last_session_on)}" if m.last_session_on else ""
    return Row(
        f"{'Mentor of' if as_mentor else 'Mentee of'} {other.name}",
        m.get_absolute_url(),
        f"{m.get_status_display()}{last}",
    )


def _training_row(t) -> Row:
    status = AttendanceStatus(t.my_status).label if t.my_status else ""
    return Row(t.title, t.get_absolute_url(), f"{_day(t.held_on)} · {status}")


def my_work(user, today: datetime.date | None = None) -> MyWork | None:
    """The home page's "My work" of `user`; None for a login without a role or without a person
    (the home page then shows what it always did)."""
    if not has_any_role(user):
        return None
    person = Person.objects.of_user(user)
    if person is None:
        return None
    today = today or timezone.localdate()
    assigned = {kind.key: kind.records(user, person) for kind in ASSIGNED}
    policies = Policy.objects.visible_to(user).to_acknowledge_by(person)
    mentorships = Mentorship.objects.visible_to(user).involving(person)
    trainings = Training.objects.visible_to(user).with_seat_for(person)
    counts = count_together(
        **assigned, to_acknowledge=policies, mentorships=mentorships, trainings=trainings
    )  # one statement for every block's total

    blocks = []
    for kind in ASSIGNED:
        if counts[kind.key]:
            rows = [kind.row(obj, today) for obj in assigned[kind.key][:ASSIGNED_ROWS]]
            blocks.append(
                Block(kind.key, kind.title, counts[kind.key], list_url(kind.list_name, **kind.params(person)), rows)
            )

    def block(key, title, url, read_rows) -> Block:
        return Block(key, title, counts[key], url, read_rows() if counts[key] else [])

    return MyWork(
        person=person,
        assigned=blocks,
        due=_due_block(due_items(user, person=person, mine=True, today=today)),
        to_acknowledge=block(
            "to_acknowledge",
            "Policies I still have to acknowledge",
            list_url("governance:policy_list", to_acknowledge="true"),
            lambda: [
                Row(str(p), f"{p.get_absolute_url()}#acknowledgements", f"version {p.current_version_number}")
                for p in policies.with_current_version().order_by("code")[:ROWS]
            ],
        ),
        mentorships=block(
            "mentorships",
            "My mentorships",
            list_url("initiatives:mentorship_list", mine="true"),
            lambda: [_mentorship_row(m, person) for m in mentorships.with_related()[:ROWS]],
        ),
        trainings=block(
            "trainings",
            "My trainings",
            list_url("initiatives:training_list", mine="true"),
            lambda: [_training_row(t) for t in trainings.with_seat_of(person).upcoming_first(today)[:ROWS]],
        ),
    )
