"""The admin runs the same services: the same moves are allowed and refused with the same reasons."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from governance.models import Framework, Policy, PolicyVersion
from tests.conftest import page_client
from tests.factories.policies import ApprovedVersionFactory, PolicyFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:governance_policyversion_changelist"


def run_action(client, action, versions, **extra):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [v.pk for v in versions], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_admin_creates_a_policy_with_a_code_and_a_draft_with_its_author(governance):
    client = page_client(governance)
    client.post(
        reverse("admin:governance_policy_add"),
        {"title": "Admin policy", "category": "other", "review_interval_months": 12},
    )
    policy = Policy.objects.get(title="Admin policy")
    assert policy.code.startswith("POL-")
    client.post(reverse("admin:governance_policyversion_add"), {"policy": policy.pk, "body": "Text"})
    version = policy.versions.get()
    assert (version.number, version.author, version.status) == (1, governance, "draft")
    row = version.history.get()
    assert (row.history_user, row.history_channel) == (governance, "admin")


def test_admin_workflow_actions_respect_separation_of_duties(governance, reviewer):
    version = PolicyVersionFactory(author=governance)
    author, other = page_client(governance), page_client(reviewer)
    run_action(author, "submit_versions", [version])
    version.refresh_from_db()
    assert version.status == "in_review"
    refused = run_action(author, "approve_versions", [version])
    assert "Separation of duties" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == "in_review"
    run_action(other, "approve_versions", [version])
    version.refresh_from_db()
    assert (version.status, version.approved_by) == ("approved", reviewer)


def test_admin_reject_asks_for_a_comment(in_review, reviewer):
    client = page_client(reviewer)
    ask = run_action(client, "reject_versions", [in_review])
    assert "What should the author change?" in ask.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    run_action(client, "reject_versions", [in_review], apply="1", comment="Too vague.")
    in_review.refresh_from_db()
    assert (in_review.status, in_review.review_comment) == ("draft", "Too vague.")


def test_admin_refuses_a_move_not_allowed_now(reviewer):
    draft = PolicyVersionFactory()
    response = run_action(page_client(reviewer), "approve_versions", [draft])
    assert "draft cannot be approved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_admin_refuses_editing_a_non_draft(governance):
    version = PolicyVersionFactory(status="in_review", body="Frozen")
    response = page_client(governance).post(
        reverse("admin:governance_policyversion_change", args=[version.pk]),
        {"body": "Changed", "change_summary": "", "loaded_version": version.version},
        follow=True,
    )
    assert "Only a draft can be edited" in response.content.decode()
    assert PolicyVersion.objects.get(pk=version.pk).body == "Frozen"


def test_admin_never_deletes_a_non_draft(governance):
    version = ApprovedVersionFactory()
    url = reverse("admin:governance_policyversion_delete", args=[version.pk])
    assert page_client(governance).post(url, {"post": "yes"}).status_code == 403
    assert PolicyVersion.objects.filter(pk=version.pk).exists()


def test_admin_shows_the_builtin_catalogue_read_only(executive):
    nist = Framework.objects.get(code="nist-ai-rmf-1.0")
    client = page_client(executive)
    response = client.post(reverse("admin:governance_framework_change", args=[nist.pk]), {"code": "x", "title": "Mine"})
    assert response.status_code == 403
    nist.refresh_from_db()
    assert nist.title == "NIST AI RMF 1.0"


@pytest.mark.parametrize(
    "name",
    [
        "admin:governance_policy_changelist",
        "admin:governance_policyversion_changelist",
        "admin:governance_acknowledgement_changelist",
        "admin:governance_framework_changelist",
        "admin:governance_requirement_changelist",
    ],
)
def test_admin_lists_open_for_governance(governance, name):
    PolicyFactory()
    assert page_client(governance).get(reverse(name)).status_code == 200
