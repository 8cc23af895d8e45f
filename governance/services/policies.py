"""Writes on policies, their versions, acknowledgements and the framework catalogue.

Pages, admin and API all call these. The version workflow (django-fsm transitions on PolicyVersion)
is draft -> in_review -> approved -> superseded | retired, with in_review -> draft on rejection.
Who may move a version, and why a move is refused now, is decided here only:
- PermissionDenied (403) when the user's roles may never make the move;
- TransitionError (409) when the move is not allowed now (wrong state, the author approving).
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import can_proceed

from vpportal.core.services import (
    ConflictError,
    TransitionError,
    Writes,
    create_record,
    delete_record,
    require,
    save_changes,
    save_new,
    update_record,
)
from vpportal.people.models import Person

from ..choices import VersionStatus
from ..models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement

APPROVE_PERM = "governance.approve_policyversion"
CODE_PREFIX = "POL-"
CODE_ATTEMPTS = 5

MSG_ONLY_DRAFTS = "Only a draft can be edited; this version is {status}. Start a new version instead."
MSG_SELF_APPROVAL = (
    "Separation of duties: you wrote this version, so someone else (governance or executive) must approve it."
)
MSG_SELF_REJECTION = (
    "Separation of duties: you wrote this version, so someone else (governance or executive) must review it."
)
MSG_CANNOT_REVIEW = "Only governance members and executives may approve, reject or retire policy versions."
MSG_OPEN_VERSION = "{policy} already has version {number} {status}; finish or delete it before starting another."
MSG_BUILTIN = "{framework} ships with VP Portal and is read-only; add a framework of your own instead."


# --- policies -------------------------------------------------------------------------------------


def _next_code() -> str:
    codes = Policy.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True)
    numbers = [int(code[len(CODE_PREFIX) :]) for code in codes if code[len(CODE_PREFIX) :].isdigit()]
    return f"{CODE_PREFIX}{max(numbers, default=0) + 1:03d}"


def _check_requirements(requirements):
    """Policies address leaf requirements (subcategories, articles): those are what coverage counts."""
    if not requirements:
        return
    ids = [getattr(r, "pk", r) for r in requirements]
    groupings = list(Requirement.objects.filter(pk__in=ids, children__isnull=False).distinct())
    if groupings:
        names = ", ".join(str(r) for r in groupings[:5])
        raise ValidationError(
            {"requirements": f"Choose specific requirements (subcategories or articles), not groupings: {names}."}
        )


@transaction.atomic
def policy_create(*, by, data: dict) -> Policy:
    """Creates the policy with the next free code (POL-001, ...).

    Two people creating policies at once may compute the same code; the unique index refuses the
    second insert, which then retries with the next number inside a savepoint.
    """
    require(by, "add", Policy)
    data = dict(data)
    requirements = data.pop("requirements", None)
    _check_requirements(requirements)
    for attempt in range(CODE_ATTEMPTS):
        policy = Policy(**data)
        policy.code = _next_code()
        try:
            with transaction.atomic():
                return save_new(policy, by=by, m2m={"requirements": requirements} if requirements else None)
        except (IntegrityError, ValidationError) as error:
            duplicate = isinstance(error, IntegrityError) or "code" in getattr(error, "error_dict", {})
            if not duplicate or attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def policy_update(policy: Policy, *, by, data: dict, version: int | None = None) -> Policy:
    _check_requirements(data.get("requirements"))
    return update_record(policy, by=by, data=data, version=version)


def policy_delete(policy: Policy, *, by, version: int | None = None) -> None:
    """A policy that was ever approved stays, as evidence of what people acknowledged: retire it."""
    require(by, "delete", policy)
    if policy.versions.exclude(status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW)).exists():
        raise ValidationError(
            "This policy has been approved before, so it stays on record; retire its current version instead."
        )
    delete_record(policy, by=by, version=version)


# --- versions -------------------------------------------------------------------------------------

VERSION_FIELDS = ("body", "change_summary", "effective_date")


@transaction.atomic
def policyversion_create(*, by, data: dict) -> PolicyVersion:
    """A new draft of `data["policy"]`, numbered max + 1, written by `by`.

    The policy row is locked so two drafts of one policy cannot take the same number; a policy has
    at most one version in draft or review at a time, so approvals always move forward.
    """
    require(by, "add", PolicyVersion)
    policy = data.get("policy")
    if policy is None:
        raise ValidationError({"policy": "Choose the policy this version belongs to."})
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    open_version = policy.versions.open().first()
    if open_version is not None:
        raise ValidationError(
            {
                "policy": MSG_OPEN_VERSION.format(
                    policy=policy.code,
                    number=open_version.number,
                    status=open_version.get_status_display().lower(),
                )
            }
        )
    number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    fields = {name: data[name] for name in VERSION_FIELDS if name in data}
    version = PolicyVersion(policy=policy, number=number, author=by, status=VersionStatus.DRAFT, **fields)
    return save_new(version, by=by)


def _require_draft(version: PolicyVersion):
    if version.status != VersionStatus.DRAFT:
        raise TransitionError(MSG_ONLY_DRAFTS.format(status=version.get_status_display().lower()))


def policyversion_update(version_obj: PolicyVersion, *, by, data: dict, version: int | None = None) -> PolicyVersion:
    require(by, "change", version_obj)
    _require_draft(version_obj)
    if "policy" in data and data["policy"] is not None and data["policy"].pk != version_obj.policy_id:
        raise ValidationError({"policy": "A version cannot move to another policy."})
    fields = {name: data[name] for name in VERSION_FIELDS if name in data}
    for name, value in fields.items():
        setattr(version_obj, name, value)
    return save_changes(version_obj, by=by, version=version, fields=fields.keys())


def policyversion_delete(version_obj: PolicyVersion, *, by, version: int | None = None) -> None:
    require(by, "delete", version_obj)
    _require_draft(version_obj)
    delete_record(version_obj, by=by, version=version)


def _wrong_state(version: PolicyVersion, move: str) -> TransitionError:
    return TransitionError(
        f"A version that is {version.get_status_display().lower()} cannot be {move}.",
        details=[f"{version} is {version.get_status_display().lower()}"],
    )


def _refuse_move(version: PolicyVersion, move: str):
    raise _wrong_state(version, move)


def _require_reviewer(by):
    if not by.has_perm(APPROVE_PERM):
        raise PermissionDenied(MSG_CANNOT_REVIEW)


def review_refusal(user, version: PolicyVersion, move: str) -> Exception | None:
    """THE rule of approving and rejecting (`move`): why `user` may not make it now, or None.

    The services raise what it returns; pages offer the button exactly when it returns None. A role
    that may never review gets PermissionDenied (403); a version not in review, or the reviewer being
    its author (separation of duties), a TransitionError (409).
    """
    if not user.has_perm(APPROVE_PERM):
        return PermissionDenied(MSG_CANNOT_REVIEW)
    if not can_proceed(getattr(version, move)):
        return _wrong_state(version, {"approve": "approved", "reject": "rejected"}[move])
    if version.author_id == user.pk:
        message = MSG_SELF_APPROVAL if move == "approve" else MSG_SELF_REJECTION
        return TransitionError(message, details=[message])
    return None


def may_approve(user, version: PolicyVersion) -> bool:
    return review_refusal(user, version, "approve") is None


def may_reject(user, version: PolicyVersion) -> bool:
    return review_refusal(user, version, "reject") is None


@transaction.atomic
def policyversion_submit(*, version: PolicyVersion, by, expected_version: int | None = None) -> PolicyVersion:
    """Draft -> in review. Anyone who may write policies may submit."""
    require(by, "change", version, "Only governance members and executives may submit policy versions.")
    if not can_proceed(version.submit):
        _refuse_move(version, "submitted for review")
    if not version.body.strip():
        raise TransitionError("Write the policy text before submitting it for review.")
    version.submit()
    return save_changes(
        version, by=by, version=expected_version, fields=["status", "review_comment"], event="policy_version.submitted"
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def policyversion_approve(*, version: PolicyVersion, by, expected_version: int | None = None) -> PolicyVersion:
    """In review -> approved by someone other than the author.

    The previously approved version is superseded (people must acknowledge the new text), and the
    policy's next review date becomes the approval date plus its review interval.
    """
    if refusal := review_refusal(by, version, "approve"):
        raise refusal
    now = timezone.now()
    policy = Policy.objects.select_for_update().get(pk=version.policy_id)
    for previous in policy.versions.approved().exclude(pk=version.pk):
        previous.supersede()
        save_changes(previous, by=by, version=None, fields=["status"], event="policy_version.superseded")
    version.approve(by=by, at=now)
    if version.effective_date is None:
        version.effective_date = timezone.localdate(now)
    saved = save_changes(
        version,
        by=by,
        version=expected_version,
        fields=["status", "approved_by", "approved_at", "effective_date"],
        event="policy_version.approved",
    )
    policy.next_review_date = add_months(timezone.localdate(now), policy.review_interval_months)
    save_changes(policy, by=by, version=None, fields=["next_review_date"])
    return saved


@transaction.atomic
def policyversion_reject(
    *, version: PolicyVersion, by, comment: str, expected_version: int | None = None
) -> PolicyVersion:
    """In review -> back to draft, with the reviewer's comment for the author (not the author's own:
    separation of duties holds for both review decisions)."""
    if refusal := review_refusal(by, version, "reject"):
        raise refusal
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what the author should change."})
    version.reject(comment=comment)
    return save_changes(
        version, by=by, version=expected_version, fields=["status", "review_comment"], event="policy_version.rejected"
    )


@transaction.atomic
def policyversion_retire(*, version: PolicyVersion, by, expected_version: int | None = None) -> PolicyVersion:
    """Approved -> retired: the policy no longer applies and has no review date."""
    _require_reviewer(by)
    if not can_proceed(version.retire):
        _refuse_move(version, "retired")
    version.retire()
    saved = save_changes(version, by=by, version=expected_version, fields=["status"], event="policy_version.retired")
    policy = version.policy
    if not policy.versions.approved().exists():
        policy.next_review_date = None
        save_changes(policy, by=by, version=None, fields=["next_review_date"])
    return saved


# --- acknowledgements -----------------------------------------------------------------------------


@transaction.atomic
def acknowledgement_create(*, by, data: dict) -> Acknowledgement:
    """`data["person"]` (default: the signed-in person) acknowledges an approved version.

    Everyone may acknowledge for themselves (an object rule in vpportal.permissions); only
    executives may record an acknowledgement for someone else.
    """
    person = data.get("person") or Person.objects.of_user(by)
    if person is None:
        raise ValidationError({"person": "Your login is not linked to a person, so there is no one to acknowledge."})
    policy_version = data.get("policy_version")
    if policy_version is None:
        raise ValidationError({"policy_version": "Choose the policy version to acknowledge."})
    acknowledgement = Acknowledgement(person=person, policy_version=policy_version)
    require(by, "add", acknowledgement, "You may acknowledge policies for yourself only.")
    if policy_version.status != VersionStatus.APPROVED:
        raise ValidationError(
            {
                "policy_version": "Only the approved version in force can be acknowledged; this one is "
                f"{policy_version.get_status_display().lower()}."
            }
        )
    if Acknowledgement.objects.filter(person=person, policy_version=policy_version).exists():
        raise ValidationError({"policy_version": f"{person} has already acknowledged {policy_version}."})
    return save_new(acknowledgement, by=by)


def policy_acknowledge(*, policy: Policy, by) -> Acknowledgement:
    """The signed-in person acknowledges the policy's current approved version."""
    current = policy.versions.approved().select_related("policy").first()
    if current is None:
        raise TransitionError(f"{policy.code} has no approved version to acknowledge yet.")
    return acknowledgement_create(by=by, data={"policy_version": current})


def acknowledgement_delete(acknowledgement: Acknowledgement, *, by, version: int | None = None) -> None:
    delete_record(acknowledgement, by=by, version=version)


# --- frameworks and requirements ------------------------------------------------------------------


def _require_custom(framework: Framework):
    if framework.is_builtin:
        raise PermissionDenied(MSG_BUILTIN.format(framework=framework))


def framework_create(*, by, data: dict) -> Framework:
    return create_record(Framework, by=by, data=data)


def framework_update(framework: Framework, *, by, data: dict, version: int | None = None) -> Framework:
    _require_custom(framework)
    return update_record(framework, by=by, data=data, version=version)


def framework_delete(framework: Framework, *, by, version: int | None = None) -> None:
    _require_custom(framework)
    delete_record(framework, by=by, version=version)


def _check_parent(requirement: Requirement):
    parent = requirement.parent
    if parent is None:
        return
    if parent.framework_id != requirement.framework_id:
        raise ValidationError({"parent": "The parent must belong to the same framework."})
    seen = {requirement.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": "A requirement cannot sit under itself."})
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def requirement_create(*, by, data: dict) -> Requirement:
    require(by, "add", Requirement)
    framework = data.get("framework")
    if framework is not None:
        _require_custom(framework)
    requirement = Requirement(**data)
    _check_parent(requirement)
    return save_new(requirement, by=by)


@transaction.atomic
def requirement_update(requirement: Requirement, *, by, data: dict, version: int | None = None) -> Requirement:
    require(by, "change", requirement)
    _require_custom(requirement.framework)
    if "framework" in data and data["framework"] is not None and data["framework"].pk != requirement.framework_id:
        raise ValidationError({"framework": "A requirement cannot move to another framework."})
    for name, value in data.items():
        setattr(requirement, name, value)
    _check_parent(requirement)
    return save_changes(requirement, by=by, version=version, fields=data.keys())


def requirement_delete(requirement: Requirement, *, by, version: int | None = None) -> None:
    require(by, "delete", requirement)
    _require_custom(requirement.framework)
    delete_record(requirement, by=by, version=version)


__all__ = [
    "ConflictError",
    "TransitionError",
    "acknowledgement_create",
    "acknowledgement_delete",
    "add_months",
    "review_refusal",
    "framework_create",
    "framework_delete",
    "framework_update",
    "policy_acknowledge",
    "policy_create",
    "policy_delete",
    "policy_update",
    "policyversion_approve",
    "policyversion_create",
    "policyversion_delete",
    "policyversion_reject",
    "policyversion_retire",
    "policyversion_submit",
    "policyversion_update",
    "may_approve",
    "may_reject",
    "requirement_create",
    "requirement_delete",
    "requirement_update",
]


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
POLICY_WRITES = Writes(create=policy_create, update=policy_update, delete=policy_delete)
POLICYVERSION_WRITES = Writes(create=policyversion_create, update=policyversion_update, delete=policyversion_delete)
ACKNOWLEDGEMENT_WRITES = Writes(create=acknowledgement_create, delete=acknowledgement_delete)
FRAMEWORK_WRITES = Writes(create=framework_create, update=framework_update, delete=framework_delete)
REQUIREMENT_WRITES = Writes(create=requirement_create, update=requirement_update, delete=requirement_delete)
