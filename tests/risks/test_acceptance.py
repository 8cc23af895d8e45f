"""Accepting a risk: executive or governance only, with a written justification; who and when are
recorded, in every channel. Status moves follow the declared workflow."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.models import Risk
from governance.services.risks import risk_update
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db

ACCEPTORS = ("executive", "governance")


@pytest.mark.parametrize("role", PERSONAS)
def test_only_executive_and_governance_accept_risks_through_the_api(personas, role):
    risk = RiskFactory(likelihood=5, impact=5)
    response = api_client(personas[role]).post(
        f"/api/v1/risks/{risk.pk}/accept/", {"justification": "Within appetite for the pilot."}, format="json"
    )
    risk.refresh_from_db()
    if role in ACCEPTORS:
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["accepted_by"], body["acceptance_justification"]) == (
            "accepted",
            personas[role].person.pk,
            "Within appetite for the pilot.",
        )
        assert body["accepted_at"] and response["ETag"] == risk.etag
        assert (risk.status, risk.accepted_by) == ("accepted", personas[role])
    else:
        assert response.status_code == 403
        assert (risk.status, risk.accepted_by) == ("identified", None)


@pytest.mark.parametrize("role", PERSONAS)
def test_only_executive_and_governance_accept_risks_through_the_page(personas, role):
    risk = RiskFactory(likelihood=5, impact=5)
    client = page_client(personas[role])
    url = reverse("governance:risk_accept", args=[risk.pk])
    assert client.get(url).status_code == (200 if role in ACCEPTORS else 403)
    response = client.post(url, {"justification": "Compensating controls in place.", "version": risk.version})
    risk.refresh_from_db()
    if role in ACCEPTORS:
        assert response.status_code == 302
        assert risk.status == "accepted" and risk.accepted_by == personas[role] and risk.accepted_at
    else:
        assert response.status_code == 403 and risk.status == "identified"


def test_the_accept_button_shows_only_to_those_who_may_accept(governance, leader):
    risk = RiskFactory()
    assert b"Accept risk" in page_client(governance).get(risk.get_absolute_url()).content
    assert b"Accept risk" not in page_client(leader).get(risk.get_absolute_url()).content


def test_anonymous_cannot_accept():
    risk = RiskFactory()
    assert api_client().post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "x"}).status_code == 401
    response = page_client().post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("justification", ["", "   "])
def test_a_blank_justification_is_refused_with_400_and_changes_nothing(governance, justification):
    risk = RiskFactory()
    response = api_client(governance).post(
        f"/api/v1/risks/{risk.pk}/accept/", {"justification": justification}, format="json"
    )
    assert response.status_code == 400
    assert "justification" in response.json()
    assert api_client(governance).post(f"/api/v1/risks/{risk.pk}/accept/", {}, format="json").status_code == 400
    risk.refresh_from_db()
    assert risk.status == "identified" and risk.accepted_by is None


def test_the_page_shows_the_justification_error_and_changes_nothing(executive):
    risk = RiskFactory()
    response = page_client(executive).post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": " "})
    assert response.status_code == 200
    assert "justification" in response.context["form"].errors
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_acceptance_is_in_history_with_the_actor_and_channel(governance):
    risk = RiskFactory()
    api_client(governance).post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "Low exposure."}, format="json")
    latest = risk.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user, latest.history_channel, latest.acceptance_justification) == (
        "accepted",
        governance,
        "api",
        "Low exposure.",
    )


def test_an_already_accepted_or_closed_risk_cannot_be_accepted_again(governance):
    for status in ("accepted", "closed"):
        risk = RiskFactory(status=status)
        response = api_client(governance).post(
            f"/api/v1/risks/{risk.pk}/accept/", {"justification": "Again"}, format="json"
        )
        assert response.status_code == 409, status


def test_a_stale_if_match_on_accept_gets_412(governance):
    risk = RiskFactory()
    client = api_client(governance)
    etag = client.get(f"/api/v1/risks/{risk.pk}/")["ETag"]
    client.patch(f"/api/v1/risks/{risk.pk}/", {"title": "Renamed"}, format="json")
    response = client.post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "x"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_an_edit_cannot_accept_a_risk_without_the_action(executive):
    risk = RiskFactory()
    response = api_client(executive).patch(f"/api/v1/risks/{risk.pk}/", {"status": "accepted"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_status_moves_follow_the_workflow(leader):
    risk = RiskFactory()
    risk_update(risk, by=leader, data={"status": "assessed"})
    risk_update(risk, by=leader, data={"status": "mitigating"})
    with pytest.raises(ValidationError) as error:
        risk_update(risk, by=leader, data={"status": "identified"})
    assert "status" in error.value.message_dict
    risk_update(risk, by=leader, data={"status": "closed"})
    assert Risk.objects.get(pk=risk.pk).status == "closed"


def test_reopening_an_accepted_risk_clears_the_acceptance_but_history_keeps_it(governance):
    risk = RiskFactory()
    api_client(governance).post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "For now."}, format="json")
    risk.refresh_from_db()
    risk_update(risk, by=governance, data={"status": "assessed"})
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.acceptance_justification) == ("assessed", None, "")
    assert risk.history.filter(status="accepted", acceptance_justification="For now.").exists()


def test_the_detail_page_records_who_accepted_and_when(governance, auditor):
    risk = RiskFactory()
    page_client(governance).post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "Agreed risk."})
    body = page_client(auditor).get(risk.get_absolute_url()).content.decode()
    assert "Accepted" in body and "governance-user" in body and "Agreed risk." in body
