"""Approve and Reject of a model version are offered exactly when the decision would be allowed:
the page asks the service's own predicate (`integrations.registry.decision_refusal`), the one
`version_decide` raises from (PRODUCT.md, issue 14.5). No registry server needed: the version is
as a sync would have brought it in."""

import pytest
from django.urls import reverse

from integrations.models import Approval
from integrations.registry import decision_refusal, may_make, version_decide
from tests.conftest import page_client
from tests.factories.integrations import AISystemVersionFactory, RegisteredModelFactory
from tests.factories.risks import AISystemFactory
from vpportal.core.services import TransitionError

pytestmark = pytest.mark.django_db


def _buttons(user, version) -> tuple[bool, bool]:
    body = page_client(user).get(version.get_absolute_url()).content.decode()
    return (
        reverse("integrations:aisystemversion_approve", args=[version.pk]) in body,
        reverse("integrations:aisystemversion_reject", args=[version.pk]) in body,
    )


def _version(tier: str):
    system = AISystemFactory(eu_ai_act_tier=tier)
    return AISystemVersionFactory(registered_model=RegisteredModelFactory(ai_system=system))


def test_approve_is_not_offered_while_the_system_fails_the_gate(governance):
    version = _version("unassessed")
    assert isinstance(decision_refusal(governance, version, Approval.APPROVED), TransitionError)
    assert _buttons(governance, version) == (False, True)  # rejecting stays possible
    with pytest.raises(TransitionError):
        version_decide(version, by=governance, decision=Approval.APPROVED)


def test_a_decided_version_offers_only_the_other_decision(governance):
    version = _version("minimal")
    assert _buttons(governance, version) == (True, True)
    version_decide(version, by=governance, decision=Approval.APPROVED)
    version.refresh_from_db()
    assert _buttons(governance, version) == (False, True)


@pytest.mark.parametrize("role", ["executive", "governance", "leader", "contributor", "auditor"])
def test_the_buttons_follow_the_services_predicate(personas, role):
    for version in (_version("minimal"), _version("unassessed")):
        user = personas[role]
        expected = (may_make(user, version, Approval.APPROVED), may_make(user, version, Approval.REJECTED))
        assert _buttons(user, version) == expected, (role, version.ai_system.eu_ai_act_tier)
