"""Who may do what: the one place that maps roles to permissions, used by pages, admin and API.

Roles are Django groups (created by a data migration). Every permission is a `rules` predicate
registered under Django's usual name (`app.action_model`), so `user.has_perm(...)` answers the same
in views, the admin and DRF. Object rules (own mentorships, private notes, separation of duties)
are predicates that take the record.
"""

import rules
from django.core.exceptions import ObjectDoesNotExist

from vpportal.people.models import Person
from vpportal.roles import (  # noqa: F401  (the role names are part of this module's interface)
    AUDITOR,
    CONTRIBUTOR,
    EXECUTIVE,
    GOVERNANCE,
    LEADER,
    ROLE_DESCRIPTIONS,
    ROLES,
    has_any_role,
    has_role,
    reads_every_private_value,
    role_names,
)


def sees_every_mentorship(user) -> bool:
    """Every role but `contributor` reads every mentorship (and its sessions, notes aside). For a user
    who is only a contributor, other people's mentorships and their sessions do not exist, in any
    channel: `MentorshipQuerySet.visible_to` and `MentorshipSessionQuerySet.visible_to` apply this."""
    return bool(getattr(user, "is_superuser", False) or role_names(user) - {CONTRIBUTOR})


def role(*roles: str):
    """A predicate true for users holding any of `roles`."""

    @rules.predicate(name=f"role({'|'.join(roles)})")
    def predicate(user):
        return has_role(user, *roles)

    return predicate


any_role = rules.predicate(has_any_role, name="any_role")

# --- the role map -------------------------------------------------------------------------------
# For each model: which roles may add, change and delete any record. Every role may view every model
# (private mentorship notes are guarded separately, field by field). `MODEL_ADDERS` widens who may
# only *add*; object rules (the record's author, its owner, ...) are OR-ed in below.
W_LEAD = (EXECUTIVE, LEADER)
W_GOV = (EXECUTIVE, GOVERNANCE)
W_EXEC = (EXECUTIVE,)

MODEL_WRITERS: dict[str, tuple[str, ...]] = {
    "vpportal.person": W_EXEC,
    "initiatives.initiative": W_LEAD,
    "initiatives.milestone": W_LEAD,
    "initiatives.kpi": W_LEAD,
    "initiatives.kpimeasurement": W_LEAD,
    "initiatives.mentorship": W_LEAD,
    "initiatives.mentorshipsession": W_LEAD,
    "initiatives.training": W_LEAD,
    "initiatives.trainingattendance": W_LEAD,
    "governance.aisystem": W_LEAD,
    "governance.risk": (EXECUTIVE, LEADER, GOVERNANCE),
    "governance.mitigation": (EXECUTIVE, LEADER, GOVERNANCE),
    "governance.policy": W_GOV,
    "governance.policyversion": W_GOV,
    "governance.acknowledgement": W_EXEC,
    "governance.framework": W_GOV,
    "governance.requirement": W_GOV,
    # Evidence: no role writes every piece; the object rules below give it to whoever may change
    # one of the records a piece is attached to.
    "evidence.evidence": (),
    "governance.incident": (EXECUTIVE, LEADER, GOVERNANCE),
    "governance.vendor": (EXECUTIVE, LEADER, GOVERNANCE),
}

# Roles that may add records of a model without being its writers: they correct or remove only the
# records an object rule gives them (a contributor adds KPI points, and corrects only their own).
MODEL_ADDERS: dict[str, tuple[str, ...]] = {
    "initiatives.kpimeasurement": (EXECUTIVE, LEADER, CONTRIBUTOR),
    # Every role but the read-only auditor may upload: the service then requires write access to
    # one of the records chosen (writes_an_attached_record).
    "evidence.evidence": (EXECUTIVE, LEADER, GOVERNANCE, CONTRIBUTOR),
    # Anyone with a role who is not a read-only auditor may report an incident; leaders, governance
    # and executives edit and move them.
    "governance.incident": (EXECUTIVE, LEADER, GOVERNANCE, CONTRIBUTOR),
}

# Extra object-level predicates per (model, action), OR-ed with the role rule. They are declared
# below with `add_object_rule`, keeping every decision in this module.
OBJECT_RULES: dict[tuple[str, str], rules.Predicate] = {}


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


ACTION_WORDS = {"view": "Reading", "add": "Adding", "change": "Changing", "delete": "Deleting"}


def refusal_message(model, action: str) -> str:
    """What a 403 page says: which roles may do `action` on `model`, from the role map above
    ("Adding initiatives needs the executive or leader role.")."""
    label = model._meta.label_lower
    if action == "view":
        roles = ROLES
    elif action == "add":
        roles = MODEL_ADDERS.get(label, MODEL_WRITERS.get(label, ()))
    else:
        roles = MODEL_WRITERS.get(label, ())
    what = f"{ACTION_WORDS.get(action, action.capitalize())} {model._meta.verbose_name_plural}"
    if not roles:
        return f"{what} is not open to any role."
    names = " or ".join(roles) if len(roles) <= 2 else f"{', '.join(roles[:-1])} or {roles[-1]}"
    extra = " (or being its owner or author)" if (label, action) in OBJECT_RULES else ""
    return f"{what} needs the {names} role{extra}."


def _register(label: str, action: str):
    app_label, model_name = label.split(".")
    if action == "view":
        base = any_role
    elif action == "add":
        base = role(*MODEL_ADDERS.get(label, MODEL_WRITERS[label]))
    else:
        base = role(*MODEL_WRITERS[label])
    extra = OBJECT_RULES.get((label, action))
    rules.set_perm(f"{app_label}.{action}_{model_name}", base | extra if extra else base)


def add_object_rule(label: str, action: str, predicate):
    """OR an object predicate into the permission for `action` on model `label`."""
    OBJECT_RULES[(label, action)] = predicate
    _register(label, action)


for _label in MODEL_WRITERS:
    for _action in ("view", "add", "change", "delete"):
        _register(_label, _action)

# Named abilities that are not plain model writes.
rules.set_perm("vpportal.view_history", any_role)
rules.set_perm("vpportal.manage_own_tokens", rules.is_authenticated)
rules.set_perm("governance.approve_policyversion", role(*W_GOV))
rules.set_perm("governance.accept_risk", role(*W_GOV))
rules.set_perm("initiatives.override_gate", role(EXECUTIVE))
rules.set_perm("vpportal.import_data", role(EXECUTIVE))


# --- team development: own mentorships, private notes, self-registration for trainings --------
# Everyone but a read-only auditor may act on their own mentorships and training seats.
self_service = role(EXECUTIVE, LEADER, GOVERNANCE, CONTRIBUTOR)


def _person_id(user):
    person = Person.objects.of_user(user)
    return person.pk if person is not None else None


def _mentorship_of(record):
    """The mentorship a Mentorship or MentorshipSession belongs to (None for a session without one)."""
    if record._meta.model_name == "mentorship":
        return record
    if not record.mentorship_id:
        return None
    try:
        return record.mentorship
    except ObjectDoesNotExist:  # a past version of a session whose mentorship is gone
        return None


@rules.predicate
def no_record_yet(user, record=None):
    """Model-level question (may this user add some records?): the record is checked later."""
    return record is None


@rules.predicate
def takes_part_in(user, record=None) -> bool:
    """The user is the mentor or the mentee of the mentorship (or of the session's mentorship)."""
    if record is None or not has_any_role(user):
        return False
    mentorship = _mentorship_of(record)
    person_id = _person_id(user)
    return (
        mentorship is not None and person_id is not None and person_id in (mentorship.mentor_id, mentorship.mentee_id)
    )


def note_reader_ids(session) -> tuple:
    """The Person ids who read a session's private notes besides executives: the mentor and the
    mentee recorded with the session when it was logged (a session or one of its history rows), or,
    for a session not logged yet, the mentorship's participants it is about to record."""
    held = (getattr(session, "held_mentor_id", None), getattr(session, "held_mentee_id", None))
    if held != (None, None):
        return tuple(pk for pk in held if pk is not None)
    mentorship = _mentorship_of(session)
    return () if mentorship is None else (mentorship.mentor_id, mentorship.mentee_id)


@rules.predicate
def can_view_private_notes(user, session=None) -> bool:
    """THE rule for `MentorshipSession.private_notes`: the mentor and the mentee who took part in the
    session (recorded with it, whoever the mentorship's participants are now) and executives only.

    Every channel (pages, admin, API, CSV, history, audit) calls this function, and the SQL mask of
    `MentorshipSessionQuerySet.visible_to` says the same. Call it directly, not through
    `user.has_perm`, which lets superusers through: a superuser without the executive role is an
    administrator, not a reader of private notes. `session=None` (no record yet) is answered for
    executives only.
    """
    if reads_every_private_value(user):
        return True
    if session is None or not has_any_role(user):
        return False
    person_id = _person_id(user)
    return person_id is not None and person_id in note_reader_ids(session)


def private_fields_hidden_for(user, session) -> frozenset[str]:
    """The session fields `user` may not see; `audit.entries(..., hidden_fields)` takes this."""
    return frozenset() if can_view_private_notes(user, session) else frozenset({"private_notes"})


@rules.predicate
def owns_attendance(user, attendance=None) -> bool:
    """The attendance (a training seat) is the user's own Person's."""
    if attendance is None:
        return False
    person_id = _person_id(user)
    return person_id is not None and attendance.person_id == person_id


add_object_rule("initiatives.mentorship", "change", self_service & takes_part_in)
add_object_rule("initiatives.mentorshipsession", "add", self_service & (no_record_yet | takes_part_in))
add_object_rule("initiatives.mentorshipsession", "change", self_service & takes_part_in)
add_object_rule("initiatives.mentorshipsession", "delete", self_service & takes_part_in)
add_object_rule("initiatives.trainingattendance", "add", self_service & (no_record_yet | owns_attendance))
add_object_rule("initiatives.trainingattendance", "delete", self_service & owns_attendance)
rules.set_perm("initiatives.view_private_notes", can_view_private_notes)
# Changing who mentors whom stays with leaders: a participant edits goals, status and cadence.
rules.set_perm("initiatives.reassign_mentorship", role(*W_LEAD))
# Marking attendance and seating others (also for trainings already held) is for leaders.
rules.set_perm("initiatives.manage_attendance", role(*W_LEAD))


# --- policies: everyone acknowledges for themselves ------------------------------------------------
@rules.predicate
def acknowledges_for_self(user, acknowledgement=None) -> bool:
    """The acknowledgement is the user's own (its person is the user's Person). Recording one for
    someone else stays with the `governance.acknowledgement` writers (executives)."""
    if acknowledgement is None or acknowledgement.person_id is None:
        return False
    person = Person.objects.of_user(user)
    return person is not None and acknowledgement.person_id == person.pk


add_object_rule("governance.acknowledgement", "add", any_role & acknowledges_for_self)


# --- KPI measurements: contributors add points and correct their own ------------------------------
@rules.predicate
def created_it(user, record=None) -> bool:
    """The user wrote the record (its `created_by`)."""
    return (
        record is not None and user is not None and record.created_by_id is not None and record.created_by_id == user.pk
    )


@rules.predicate
def owns_the_kpi(user, measurement=None) -> bool:
    """The user's Person owns the KPI the measurement belongs to: they may correct its points."""
    if measurement is None or not measurement.kpi_id:
        return False
    person_id = _person_id(user)
    return person_id is not None and measurement.kpi.owner_id == person_id


# Leaders and executives correct any point (the role map); a contributor only the points they added,
# and the KPI's owner (holding a role that writes) every point of their KPI. Auditors never write.
corrects_measurement = role(*MODEL_ADDERS["initiatives.kpimeasurement"]) & (created_it | owns_the_kpi)
add_object_rule("initiatives.kpimeasurement", "change", corrects_measurement)
add_object_rule("initiatives.kpimeasurement", "delete", corrects_measurement)


# --- evidence: write access follows the records it is attached to -------------------------------
@rules.predicate
def writes_an_attached_record(user, evidence=None) -> bool:
    """THE rule of changing, replacing or deleting a piece of evidence: the user may change at
    least one of the records it is attached to (each record's own `change` permission). The
    evidence app's services ask it; `evidence.attached_records()` lists the records."""
    if evidence is None or not has_any_role(user):
        return False
    return any(user.has_perm(perm_name(type(record), "change"), record) for record in evidence.attached_records())


add_object_rule("evidence.evidence", "change", writes_an_attached_record)
add_object_rule("evidence.evidence", "delete", writes_an_attached_record)
