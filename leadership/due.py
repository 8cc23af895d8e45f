"""What's due: one queue across every dated object, overdue first, then by date.

Milestones, mitigations, risk reviews, policy reviews, stale KPIs (measurements overdue), expired or
expiring evidence, upcoming trainings, Article 73 reports of serious incidents (urgent within two
days), vendor reviews and vendor contracts ending within 90 days, each read through its area's
QuerySet rules (`open()`, `overdue()`,
`review_overdue()`, `with_status()`, `upcoming()`). One query per kind, whatever the number of
rows: the page, the digest emails and the tests share `due_items()`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from evidence.choices import EXPIRING_WITHIN_DAYS
from evidence.models import Evidence
from governance.choices import CONTRACT_END_NOTICE_DAYS, REPORT_URGENT_DAYS
from governance.models import Incident, Mitigation, Policy, Risk, Vendor
from initiatives.choices import AttendanceStatus, KPIStatus
from initiatives.models import KPI, Milestone, Training, TrainingAttendance
from initiatives.querysets import STALE_AFTER

HORIZON_DAYS = 14
KINDS = {
    "milestone": "Milestone",
    "mitigation": "Mitigation",
    "risk_review": "Risk review",
    "policy_review": "Policy review",
    "kpi": "KPI measurement",
    "training": "Training",
    "evidence": "Evidence expiry",
    "incident_report": "Incident report to authority",
    "vendor_review": "Vendor review",
    "vendor_contract": "Vendor contract end",
}


@dataclass
class DueItem:
    kind: str
    pk: int
    title: str
    due: datetime.date
    url: str
    owner: object = None  # a Person, or None
    people: set = field(default_factory=set)  # ids of everyone the item concerns (the digest's recipients)
    today: datetime.date | None = None
    due_at: datetime.datetime | None = None  # a deadline to the minute (an Article 73 report)
    now: datetime.datetime | None = None

    @classmethod
    def owned(cls, kind: str, record, due, *, title: str = "", owner: str = "owner", **when) -> "DueItem":
        """The item of `record`, concerning the one person its `owner` field names (if any)."""
        person_id = getattr(record, f"{owner}_id")
        people = {person_id} - {None}
        return cls(
            kind,
            record.pk,
            title or str(record),
            due,
            record.get_absolute_url(),
            getattr(record, owner),
            people,
            **when,
        )

    @property
    def key(self) -> str:
        """Stable identity of the item (what the digest remembers it sent)."""
        return f"{self.kind}:{self.pk}"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def overdue(self) -> bool:
        if self.due_at is not None and self.now is not None:
            return self.due_at < self.now
        return self.today is not None and self.due < self.today

    @property
    def urgent(self) -> bool:
        """An authority report due within REPORT_URGENT_DAYS (not overdue yet)."""
        if self.due_at is None or self.now is None or self.overdue:
            return False
        return (self.due_at - self.now).total_seconds() <= REPORT_URGENT_DAYS * 86400

    @property
    def days(self) -> int:
        return (self.due - self.today).days if self.today else 0


def _any(person, paths):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{path: person})
    return condition


def due_items(user, *, person=None, mine: bool = False, today=None, horizon_days: int = HORIZON_DAYS) -> list[DueItem]:
    """Everything `user` may see that is overdue or due within `horizon_days`, overdue first.

    `mine`: only items owned by `person` (or, for trainings, that `person` facilitates or attends).
    `user=None` reads as the system (the digest command), seeing everything.
    """
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=horizon_days)
    # The areas' "overdue" rules take a day: overdue as of the day after the horizon = due by then.
    after_until = until + datetime.timedelta(days=1)

    def scoped(model):
        manager = model.objects
        return manager.all() if user is None else manager.visible_to(user)

    def only_mine(queryset, *paths):
        if not mine:
            return queryset
        return queryset.filter(_any(person, paths)) if person is not None else queryset.none()

    items = []
    milestones = only_mine(
        scoped(Milestone).open().filter(due_date__lte=until).select_related("initiative__owner"), "initiative__owner"
    )
    for m in milestones:
        owner = m.initiative.owner
        items.append(
            DueItem(
                "milestone", m.pk, f"{m.initiative.key} {m.title}", m.due_date, m.get_absolute_url(), owner, {owner.pk}
            )
        )
    mitigations = only_mine(
        scoped(Mitigation).overdue(after_until).select_related("risk", "owner"),
        "owner",
    )
    items += [DueItem.owned("mitigation", m, m.due_date, title=f"{m.risk.key}: {m}") for m in mitigations]
    risks = only_mine(
        scoped(Risk).review_overdue(after_until).select_related("owner"),
        "owner",
    )
    items += [DueItem.owned("risk_review", r, r.next_review_date) for r in risks]
    policies = only_mine(scoped(Policy).review_overdue(after_until).select_related("owner"), "owner")
    items += [DueItem.owned("policy_review", p, p.next_review_date) for p in policies]
    # A KPI is due for a measurement when its latest point turns stale (two cadence periods, the
    # portfolio's rule); one never measured is due since it was created. Grey without a target is
    # not a missing measurement, so those stay out.
    kpis = only_mine(
        scoped(KPI).with_status().filter(status=KPIStatus.GREY, target__isnull=False).select_related("owner"), "owner"
    )
    for k in kpis:
        since = k.latest_observed_at or k.created_at
        due = timezone.localdate(since + STALE_AFTER[k.cadence]) if k.latest_observed_at else timezone.localdate(since)
        if due <= until:
            items.append(DueItem.owned("kpi", k, due, title=k.name))
    seats = TrainingAttendance.objects.filter(training=OuterRef("pk"), status=AttendanceStatus.REGISTERED)
    trainings = scoped(Training).upcoming(today).filter(held_on__lte=until).select_related("facilitator")
    if mine:
        trainings = (
            trainings.filter(Q(facilitator=person) | Exists(seats.filter(person=person)))
            if person is not None
            else trainings.none()
        )
    trainings = trainings.prefetch_related("attendances")
    for t in trainings:
        attendees = {a.person_id for a in t.attendances.all() if a.status == AttendanceStatus.REGISTERED}
        items.append(
            DueItem(
                "training",
                t.pk,
                t.title,
                t.held_on,
                t.get_absolute_url(),
                t.facilitator,
                ({t.facilitator_id} | attendees) - {None},
            )
        )
    # Evidence: expired (past `valid_until`, no longer current) or expiring within 30 days (or the
    # queue's horizon when longer); the uploader is its owner.
    evidence_until = today + datetime.timedelta(days=max(horizon_days, EXPIRING_WITHIN_DAYS))
    evidence = only_mine(
        scoped(Evidence).filter(valid_until__lte=evidence_until).select_related("uploaded_by"), "uploaded_by"
    )
    for e in evidence:
        title = f"{e.title} ({'expired' if e.valid_until < today else 'expiring'})"
        items.append(DueItem.owned("evidence", e, e.valid_until, title=title, owner="uploaded_by"))
    # Article 73 reports of serious incidents, due to the minute; urgent within REPORT_URGENT_DAYS.
    now = timezone.now()
    reports = only_mine(
        scoped(Incident)
        .report_due_by(timezone.make_aware(datetime.datetime.combine(after_until, datetime.time.min)))
        .select_related("owner"),
        "owner",
    )
    items += [
        DueItem.owned("incident_report", i, timezone.localdate(i.report_due), due_at=i.report_due) for i in reports
    ]
    vendors = only_mine(scoped(Vendor).review_overdue(after_until).select_related("owner"), "owner")
    items += [DueItem.owned("vendor_review", v, v.next_review_date) for v in vendors]
    # A contract end is announced CONTRACT_END_NOTICE_DAYS ahead, whatever the queue's horizon.
    contracts = only_mine(
        scoped(Vendor).contract_ending(today, within_days=max(CONTRACT_END_NOTICE_DAYS, horizon_days)),
        "owner",
    ).select_related("owner")
    items += [DueItem.owned("vendor_contract", v, v.contract_end_date, title=f"{v}: contract ends") for v in contracts]
    for item in items:
        item.today = today
        item.now = now
    items.sort(key=lambda i: (not i.overdue, i.due, i.kind, i.pk))
    return items
