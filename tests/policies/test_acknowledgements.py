"""Acknowledgements: everyone acknowledges the version in force for themselves, once; a new approved
version needs new acknowledgements; the policy page and home page show who still has to."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.models import Acknowledgement
from governance.services import policies as services
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.people import PersonFactory
from tests.factories.policies import AcknowledgementFactory, ApprovedVersionFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

ROLES = ("executive", "leader", "governance", "contributor", "auditor")


@pytest.mark.parametrize("role", PERSONAS)
def test_every_role_acknowledges_for_themselves_through_the_page(personas, role):
    version = ApprovedVersionFactory()
    user = personas[role]
    response = page_client(user).post(reverse("governance:policy_acknowledge", args=[version.policy.pk]))
    done = Acknowledgement.objects.filter(person__user=user, policy_version=version).exists()
    assert done is (role in ROLES)
    if role in ROLES:
        assert response.status_code == 302
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_acknowledges_for_themselves_through_the_api(personas, role):
    version = ApprovedVersionFactory()
    response = api_client(personas[role]).post(
        "/api/v1/acknowledgements/", {"policy_version": version.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["person"] == personas[role].person.pk


@pytest.mark.parametrize("role", ["leader", "governance", "contributor", "auditor"])
def test_only_executives_acknowledge_for_someone_else(personas, role, executive):
    version = ApprovedVersionFactory()
    other = PersonFactory()
    refused = api_client(personas[role]).post(
        "/api/v1/acknowledgements/", {"policy_version": version.pk, "person": other.pk}, format="json"
    )
    assert refused.status_code == 403
    allowed = api_client(executive).post(
        "/api/v1/acknowledgements/", {"policy_version": version.pk, "person": other.pk}, format="json"
    )
    assert allowed.status_code == 201


def test_an_outsider_cannot_acknowledge_through_the_api(outsider):
    version = ApprovedVersionFactory()
    response = api_client(outsider).post("/api/v1/acknowledgements/", {"policy_version": version.pk}, format="json")
    assert response.status_code == 403


def test_acknowledging_twice_is_refused(contributor):
    version = ApprovedVersionFactory()
    services.acknowledgement_create(by=contributor, data={"policy_version": version})
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.acknowledgement_create(by=contributor, data={"policy_version": version})
    again = api_client(contributor).post("/api/v1/acknowledgements/", {"policy_version": version.pk}, format="json")
    assert again.status_code == 400
    assert Acknowledgement.objects.filter(policy_version=version).count() == 1


@pytest.mark.parametrize("status", ["draft", "in_review", "superseded", "retired"])
def test_only_the_version_in_force_can_be_acknowledged(contributor, status):
    version = PolicyVersionFactory(status=status)
    response = api_client(contributor).post("/api/v1/acknowledgements/", {"policy_version": version.pk}, format="json")
    assert response.status_code == 400
    assert "policy_version" in response.json()


def test_a_new_approved_version_needs_a_new_acknowledgement(contributor, governance, reviewer):
    old = ApprovedVersionFactory()
    policy = old.policy
    services.policy_acknowledge(policy=policy, by=contributor)
    person = contributor.person
    from governance.models import Policy

    assert not Policy.objects.to_acknowledge_by(person).filter(pk=policy.pk).exists()
    new = PolicyVersionFactory(policy=policy, author=governance, status="in_review")
    services.policyversion_approve(version=new, by=reviewer)
    assert Policy.objects.to_acknowledge_by(person).filter(pk=policy.pk).exists()
    page = page_client(contributor).get(policy.get_absolute_url())
    assert page.context["can_acknowledge"] is True
    assert "I have read and acknowledge version 2" in page.content.decode()


def test_the_policy_page_shows_who_has_and_has_not_acknowledged_and_the_rate(auditor):
    version = ApprovedVersionFactory()
    done = PersonFactory(name="Has Read")
    PersonFactory(name="Not Yet Read")
    PersonFactory(name="Gone Person", active=False)
    AcknowledgementFactory(person=done, policy_version=version)
    response = page_client(auditor).get(version.policy.get_absolute_url())
    ctx = response.context
    assert [a.person.name for a in ctx["acknowledged"]] == ["Has Read"]
    names = {p.name for p in ctx["not_acknowledged"]}
    assert "Not Yet Read" in names and "Gone Person" not in names
    active = len(ctx["not_acknowledged"]) + 1
    assert ctx["ack_rate"] == round(100 / active)


def test_the_home_page_lists_policies_i_still_have_to_acknowledge(contributor):
    pending = ApprovedVersionFactory(policy__title="Pending policy")
    done = ApprovedVersionFactory(policy__title="Done policy")
    PolicyVersionFactory(policy__title="Draft only policy")
    AcknowledgementFactory(person=contributor.person, policy_version=done)
    html = page_client(contributor).get(reverse("home")).content.decode()
    assert "Policies I still have to acknowledge" in html
    assert "Pending policy" in html
    assert "Done policy" not in html and "Draft only policy" not in html
    assert pending.policy.code in html


def test_the_acknowledgement_rate_is_in_the_list_and_api(auditor):
    version = ApprovedVersionFactory()
    AcknowledgementFactory(person=auditor.person, policy_version=version)
    body = api_client(auditor).get(f"/api/v1/policies/{version.policy.pk}/").json()
    from vpportal.people.models import Person

    assert body["acknowledgement_rate"] == round(100 / Person.objects.filter(active=True).count())
