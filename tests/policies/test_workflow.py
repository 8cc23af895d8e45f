"""The version workflow in the services every channel calls: draft -> in_review -> approved ->
superseded | retired, back to draft on rejection, with separation of duties."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.models import PolicyVersion
from governance.services import policies as services
from tests.factories.policies import ApprovedVersionFactory, PolicyFactory, PolicyVersionFactory
from vpportal.core.services import ConflictError, TransitionError

pytestmark = pytest.mark.django_db


def test_policy_codes_are_assigned_in_sequence(governance):
    first = services.policy_create(by=governance, data={"title": "One", "category": "responsible_ai"})
    second = services.policy_create(by=governance, data={"title": "Two", "category": "model_risk"})
    assert (first.code, second.code) == ("POL-001", "POL-002")


def test_a_duplicate_code_is_retried_with_the_next_number(governance, monkeypatch):
    services.policy_create(by=governance, data={"title": "One"})
    # Simulate a concurrent writer that computed the same next code as us.
    calls = iter(["POL-001", "POL-002"])
    monkeypatch.setattr(services, "_next_code", lambda: next(calls))
    policy = services.policy_create(by=governance, data={"title": "Two"})
    assert policy.code == "POL-002"


def test_version_numbers_follow_the_highest_existing(governance):
    policy = PolicyFactory()
    ApprovedVersionFactory(policy=policy, number=1)
    created = services.policyversion_create(by=governance, data={"policy": policy, "body": "v2"})
    assert (created.number, created.status, created.author) == (2, "draft", governance)


def test_a_second_open_version_is_refused(draft, governance):
    with pytest.raises(ValidationError) as error:
        services.policyversion_create(by=governance, data={"policy": draft.policy, "body": "another"})
    assert "already has version 1 draft" in str(error.value)


def test_submit_then_approve_by_another_reviewer(draft, governance, reviewer):
    services.policyversion_submit(version=draft, by=governance)
    assert draft.status == "in_review"
    services.policyversion_approve(version=draft, by=reviewer)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by, draft.effective_date) == ("approved", reviewer, timezone.localdate())
    assert draft.approved_at is not None


def test_the_author_may_not_approve_their_own_version(in_review, governance):
    with pytest.raises(TransitionError, match="Separation of duties"):
        services.policyversion_approve(version=in_review, by=governance)
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


@pytest.mark.parametrize("role", ["leader", "contributor", "auditor"])
def test_roles_without_approval_rights_may_never_approve_or_reject(personas, in_review, role):
    with pytest.raises(PermissionDenied):
        services.policyversion_approve(version=in_review, by=personas[role])
    with pytest.raises(PermissionDenied):
        services.policyversion_reject(version=in_review, by=personas[role], comment="no")
    with pytest.raises(PermissionDenied):
        services.policyversion_submit(version=PolicyVersionFactory(), by=personas[role])


def test_an_executive_may_approve(in_review, executive):
    services.policyversion_approve(version=in_review, by=executive)
    assert in_review.status == "approved"


def test_only_a_version_in_review_can_be_approved(draft, reviewer):
    with pytest.raises(TransitionError, match="draft cannot be approved"):
        services.policyversion_approve(version=draft, by=reviewer)


def test_only_a_draft_can_be_submitted(in_review, governance):
    with pytest.raises(TransitionError, match="in review cannot be submitted"):
        services.policyversion_submit(version=in_review, by=governance)


def test_an_empty_draft_cannot_be_submitted(governance):
    empty = PolicyVersionFactory(body="  ", author=governance)
    with pytest.raises(TransitionError, match="Write the policy text"):
        services.policyversion_submit(version=empty, by=governance)


def test_rejecting_returns_to_draft_with_the_comment(in_review, reviewer):
    services.policyversion_reject(version=in_review, by=reviewer, comment="Add a scope section.")
    in_review.refresh_from_db()
    assert (in_review.status, in_review.review_comment) == ("draft", "Add a scope section.")


def test_rejecting_needs_a_comment(in_review, reviewer):
    with pytest.raises(ValidationError) as error:
        services.policyversion_reject(version=in_review, by=reviewer, comment="  ")
    assert "comment" in error.value.error_dict


def test_approval_supersedes_the_previous_version_and_sets_the_review_date(reviewer, governance):
    policy = PolicyFactory(review_interval_months=6)
    old = ApprovedVersionFactory(policy=policy, number=1)
    new = PolicyVersionFactory(policy=policy, number=2, author=governance, status="in_review")
    services.policyversion_approve(version=new, by=reviewer)
    old.refresh_from_db()
    policy.refresh_from_db()
    assert old.status == "superseded"
    assert policy.next_review_date == services.add_months(timezone.localdate(), 6)
    assert list(policy.versions.approved()) == [new]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 11, 15), 3, datetime.date(2027, 2, 15)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
    ],
)
def test_review_dates_add_calendar_months(day, months, expected):
    assert services.add_months(day, months) == expected


def test_retiring_clears_the_review_date(reviewer):
    version = ApprovedVersionFactory()
    version.policy.next_review_date = timezone.localdate()
    version.policy.save()
    services.policyversion_retire(version=version, by=reviewer)
    version.policy.refresh_from_db()
    assert (version.status, version.policy.next_review_date) == ("retired", None)


@pytest.mark.parametrize("status", ["in_review", "approved", "superseded", "retired"])
def test_only_drafts_are_editable_or_deletable(governance, status):
    version = PolicyVersionFactory(status=status, body="Kept")
    with pytest.raises(TransitionError, match="Only a draft can be edited"):
        services.policyversion_update(version, by=governance, data={"body": "Changed"})
    with pytest.raises(TransitionError):
        services.policyversion_delete(version, by=governance)
    assert PolicyVersion.objects.get(pk=version.pk).body == "Kept"


def test_a_stale_move_is_refused(in_review, reviewer):
    with pytest.raises(ConflictError):
        services.policyversion_approve(version=in_review, by=reviewer, expected_version=in_review.version - 1)
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_history_records_each_move_with_its_actor(draft, governance, reviewer):
    services.policyversion_submit(version=draft, by=governance)
    services.policyversion_approve(version=draft, by=reviewer)
    rows = list(draft.history.order_by("history_date", "history_id"))
    assert [(r.status, r.history_user) for r in rows[-2:]] == [("in_review", governance), ("approved", reviewer)]


def test_an_approved_policy_cannot_be_deleted(governance):
    version = ApprovedVersionFactory()
    with pytest.raises(ValidationError, match="retire"):
        services.policy_delete(version.policy, by=governance)


def test_policies_address_leaf_requirements_only(governance):
    from governance.models import Requirement

    category = Requirement.objects.get(code="GOVERN 1")
    with pytest.raises(ValidationError) as error:
        services.policy_create(by=governance, data={"title": "X", "requirements": [category]})
    assert "requirements" in error.value.error_dict


def test_the_author_may_not_reject_their_own_version(in_review, governance):
    with pytest.raises(TransitionError, match="Separation of duties"):
        services.policyversion_reject(version=in_review, by=governance, comment="Second thoughts.")
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
