"""Writes on team development: mentorships, their sessions, trainings and training seats, plus the
AI-literacy coverage figure (EU AI Act Art. 4). Pages, admin and API call these.

Private session notes: reads hand out rows with the notes blanked for readers who may not see them
(`MentorshipSessionQuerySet.visible_to` masks them in SQL). Writes therefore never save the row they were given: they
re-read the stored session, and drop `private_notes` from the input of anyone who may not see them,
so such a writer can neither read nor overwrite the notes.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

from vpportal.core.compiled import Statement
from vpportal.core.counting import count_together_sql, counts_of_row, run_count_together
from vpportal.core.services import Writes, create_record, delete_record, require, save_new, update_record
from vpportal.people.models import Person
from vpportal.permissions import can_view_private_notes

from ..choices import AttendanceStatus
from ..models import Mentorship, MentorshipSession, Training, TrainingAttendance

MSG_REASSIGN = "Only leaders and executives may change who mentors whom."
MSG_USE_REASSIGN = (
    "This mentorship has sessions: change its mentor or mentee with “Reassign”, which keeps the earlier "
    "sessions' private notes with the people who took part in them."
)
MSG_NOT_PARTICIPANT = "Only the mentor, the mentee, leaders and executives may log sessions on this mentorship."
MSG_SESSION_MOVE = "A session stays with its mentorship; log it on the other mentorship instead."
MSG_OWN_SEAT = "You may register and unregister only yourself."
MSG_NO_PERSON = "Your login is not linked to a person in the directory, so you cannot register."
MSG_ALREADY_HELD = "This training has already taken place; registration is closed."
MSG_ONLY_REGISTER = "Register first; leaders mark attendance after the training."
MSG_MARK_LATER = "Attendance can be marked once the training has taken place."
MSG_RECORDED = "Your attendance is already recorded; ask a leader to change it."
MSG_SEAT_MOVE = "A seat stays with its training and person; unregister and register again instead."


# --- mentorships ------------------------------------------------------------------------------------
def mentorship_create(*, by, data: dict) -> Mentorship:
    return create_record(Mentorship, by=by, data=data)


PARTICIPANTS = ("mentor", "mentee")


def _new_participants(mentorship: Mentorship, data: dict) -> list[str]:
    """The participants `data` changes, against the stored row (a model form has already set its
    cleaned values on the instance it was given)."""
    row = Mentorship._base_manager.values_list(*PARTICIPANTS).get(pk=mentorship.pk)
    stored = dict(zip(PARTICIPANTS, row, strict=True))
    return [name for name in PARTICIPANTS if name in data and getattr(data[name], "pk", data[name]) != stored[name]]


def mentorship_update(mentorship: Mentorship, *, by, data: dict, version: int | None = None) -> Mentorship:
    """Edit a mentorship. Its mentor and mentee change here only while it has no session (a fix
    right after creating it); once sessions are logged that is a reassignment (`mentorship_reassign`)."""
    require(by, "change", mentorship)
    changed = _new_participants(mentorship, data)
    if changed and not by.has_perm("initiatives.reassign_mentorship"):
        raise PermissionDenied(MSG_REASSIGN)
    if changed and MentorshipSession._base_manager.filter(mentorship=mentorship).exists():
        raise ValidationError(dict.fromkeys(changed, MSG_USE_REASSIGN))
    return update_record(mentorship, by=by, data=data, version=version)


def mentorship_reassign(mentorship: Mentorship, *, by, data: dict, version: int | None = None) -> Mentorship:
    """Give a mentorship another mentor and/or mentee: leaders and executives (who create and edit
    mentorships, PRODUCT.md), never its participants. Earlier sessions keep the participants they
    were logged with, so their private notes stay with those people: the newcomer reads the notes
    of the sessions logged from now on only."""
    if not by.has_perm("initiatives.reassign_mentorship"):
        raise PermissionDenied(MSG_REASSIGN)
    unknown = set(data) - set(PARTICIPANTS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "A reassignment changes the mentor and the mentee only."))
    if not _new_participants(mentorship, data):
        raise ValidationError({"mentor": "Choose a mentor or a mentee other than the current ones."})
    return update_record(mentorship, by=by, data=data, version=version)


def mentorship_delete(mentorship: Mentorship, *, by, version: int | None = None) -> None:
    delete_record(mentorship, by=by, version=version)


# --- sessions ---------------------------------------------------------------------------------------
def _stored_session(session: MentorshipSession) -> MentorshipSession:
    """The session as stored, notes included, whatever the caller was allowed to read."""
    return MentorshipSession._base_manager.select_related("mentorship").get(pk=session.pk)


def session_create(*, by, data: dict) -> MentorshipSession:
    session = MentorshipSession(**data)
    if session.mentorship_id is None:
        raise ValidationError({"mentorship": "Choose the mentorship this session belongs to."})
    # Its notes' readers from now on: the participants of today, whoever they are later.
    session.record_participants()
    require(by, "add", session, MSG_NOT_PARTICIPANT)
    if not can_view_private_notes(by, session):
        session.private_notes = ""
    return save_new(session, by=by)


def session_update(session: MentorshipSession, *, by, data: dict, version: int | None = None) -> MentorshipSession:
    stored = _stored_session(session)
    require(by, "change", stored)
    data = dict(data)
    if not can_view_private_notes(by, stored):
        data.pop("private_notes", None)
    if "mentorship" in data and getattr(data["mentorship"], "pk", data["mentorship"]) != stored.mentorship_id:
        raise ValidationError({"mentorship": MSG_SESSION_MOVE})
    # The caller's copy carries the version it read: a newer stored version is a conflict.
    expected = session.version if version is None else version
    return update_record(stored, by=by, data=data, version=expected)


def session_delete(session: MentorshipSession, *, by, version: int | None = None) -> None:
    # The stored row, so the deletion's history entry keeps the notes (masked when shown).
    delete_record(_stored_session(session), by=by, version=version)


# --- trainings --------------------------------------------------------------------------------------
def training_create(*, by, data: dict) -> Training:
    return create_record(Training, by=by, data=data)


@transaction.atomic
def training_update(training: Training, *, by, data: dict, version: int | None = None) -> Training:
    require(by, "change", training)
    capacity = data.get("capacity")
    if capacity is not None:
        Training._base_manager.select_for_update().filter(pk=training.pk).first()
        taken = TrainingAttendance._base_manager.filter(training=training).count()
        if capacity < taken:
            raise ValidationError(
                {"capacity": f"{taken} people already hold a seat; the capacity cannot be lower than that."}
            )
    return update_record(training, by=by, data=data, version=version)


def training_delete(training: Training, *, by, version: int | None = None) -> None:
    delete_record(training, by=by, version=version)


# --- training seats ---------------------------------------------------------------------------------
def _today() -> datetime.date:
    return timezone.localdate()


def _check_status_fits_date(status: str, training: Training) -> None:
    if status != AttendanceStatus.REGISTERED and training.held_on > _today():
        raise ValidationError({"status": MSG_MARK_LATER})


@transaction.atomic
def attendance_create(*, by, data: dict) -> TrainingAttendance:
    """Give a person a seat. Self-service users register themselves for trainings not yet held;
    leaders seat anyone with any status. Capacity and one seat per person hold under concurrency."""
    attendance = TrainingAttendance(**data)
    if attendance.training_id is None or attendance.person_id is None:
        missing = [name for name in ("training", "person") if getattr(attendance, f"{name}_id") is None]
        raise ValidationError(dict.fromkeys(missing, "This field is required."))
    require(by, "add", attendance, MSG_OWN_SEAT)
    # Lock the training row: two registrations for its last seat are serialised here, and the second
    # one counts the first. (SQLite serialises writers anyway.)
    training = Training._base_manager.select_for_update().get(pk=attendance.training_id)
    if not by.has_perm("initiatives.manage_attendance"):
        if attendance.status != AttendanceStatus.REGISTERED:
            raise ValidationError({"status": MSG_ONLY_REGISTER})
        if training.held_on < _today():
            raise ValidationError({"training": MSG_ALREADY_HELD})
    _check_status_fits_date(attendance.status, training)
    seats = TrainingAttendance._base_manager.filter(training=training)
    if seats.filter(person_id=attendance.person_id).exists():
        person = Person._base_manager.get(pk=attendance.person_id)
        raise ValidationError({"person": f"{person} already has a seat at “{training}”."})
    if training.capacity is not None and seats.count() >= training.capacity:
        raise ValidationError({"training": f"“{training}” is full: all {training.capacity} seats are taken."})
    return save_new(attendance, by=by)


def attendance_update(
    attendance: TrainingAttendance, *, by, data: dict, version: int | None = None
) -> TrainingAttendance:
    require(by, "change", attendance)
    for name in ("training", "person"):
        if name in data and getattr(data[name], "pk", data[name]) != getattr(attendance, f"{name}_id"):
            raise ValidationError({name: MSG_SEAT_MOVE})
    if "status" in data:
        _check_status_fits_date(data["status"], attendance.training)
    return update_record(attendance, by=by, data=data, version=version)


def attendance_mark(
    *, attendance: TrainingAttendance, by, status: str, version: int | None = None
) -> TrainingAttendance:
    """A leader records whether the person came (`attended`) or not (`no_show`)."""
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": f"Unknown attendance status “{status}”."})
    return attendance_update(attendance, by=by, data={"status": status}, version=version)


def attendance_delete(attendance: TrainingAttendance, *, by, version: int | None = None) -> None:
    require(by, "delete", attendance, MSG_OWN_SEAT)
    if not by.has_perm("initiatives.manage_attendance") and attendance.status != AttendanceStatus.REGISTERED:
        raise ValidationError(MSG_RECORDED)
    delete_record(attendance, by=by, version=version)


def training_register(*, training: Training, by) -> TrainingAttendance:
    """The signed-in person takes a seat."""
    person = Person.objects.of_user(by)
    if person is None:
        raise ValidationError(MSG_NO_PERSON)
    return attendance_create(
        by=by, data={"training": training, "person": person, "status": AttendanceStatus.REGISTERED}
    )


def training_unregister(*, training: Training, by) -> None:
    """The signed-in person gives their seat back."""
    person = Person.objects.of_user(by)
    attendance = TrainingAttendance.objects.filter(training=training, person=person).first() if person else None
    if attendance is None:
        raise ValidationError(f"You are not registered for “{training}”.")
    attendance_delete(attendance, by=by)


# --- AI literacy ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """AI-literacy coverage over a window: `uncovered` is a queryset of active people (by name)."""

    covered: int
    total: int
    window_start: datetime.date
    window_end: datetime.date

    @property
    def uncovered(self) -> models.QuerySet:
        """The active people not covered, by name (built when read: the dashboard shows the count)."""
        literate = TrainingAttendance.objects.ai_literacy_between(self.window_start, self.window_end)
        return Person.objects.active().exclude(pk__in=literate.values("person_id")).order_by("name")

    @property
    def share(self) -> float:
        """Covered people as a fraction of active people (0.0 when there are none)."""
        return self.covered / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def ai_literacy_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months, both ends included: from the same day a year earlier to `today`."""
    end = today or _today()
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start, end


def ai_literacy_counts_sql(start: datetime.date, end: datetime.date) -> tuple[str, list]:
    """(covered, total) of the window `start`..`end` as one statement of one row: the active people
    who attended an AI-literacy training held in the window, and all active people."""
    literate = TrainingAttendance.objects.ai_literacy_between(start, end).values("person_id")
    active = Person.objects.active()
    return count_together_sql(covered=active.filter(pk__in=literate), total=active)


_COVERAGE_COUNTS = Statement(ai_literacy_counts_sql)


def ai_literacy_coverage(today: datetime.date | None = None, *, counts: tuple[int, int] | None = None) -> Coverage:
    """Share of ACTIVE people who attended an AI-literacy training held in the last 12 months.

    Two counts in one statement and a lazy queryset, whatever the number of people: the dashboard
    reuses it. `counts`: (covered, total) already read from `ai_literacy_counts_sql()` over
    `ai_literacy_window(today)` (the dashboard reads them with its other counts, one round trip).
    """
    start, end = ai_literacy_window(today)
    if counts is None:
        # The same statement for every caller: compiled once per process, the window bound into it.
        sql, params = _COVERAGE_COUNTS.sql(DEFAULT_DB_ALIAS, start=start, end=end)
        counts = run_count_together(DEFAULT_DB_ALIAS, sql, params)
    covered, total = counts_of_row(("covered", "total"), counts).values()
    return Coverage(covered=covered, total=total, window_start=start, window_end=end)


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
MENTORSHIP_WRITES = Writes(create=mentorship_create, update=mentorship_update, delete=mentorship_delete)
SESSION_WRITES = Writes(create=session_create, update=session_update, delete=session_delete)
TRAINING_WRITES = Writes(create=training_create, update=training_update, delete=training_delete)
ATTENDANCE_WRITES = Writes(create=attendance_create, update=attendance_update, delete=attendance_delete)
