"""Every change writes its event in the change's transaction, through every channel, with the record
as the API shows it; named workflow actions; bulk ingest writes its events set-wise."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance.models import Risk
from governance.services.policies import policyversion_approve, policyversion_reject, policyversion_submit
from governance.services.risks import risk_create
from initiatives.services.portfolio import initiative_transition, kpi_measurement_create
from tests.conftest import api_client, page_client
from tests.factories.policies import PolicyFactory, PolicyVersionFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db


def risk_payload():
    return {"title": "Drift", "category": "robustness", "ai_system": AISystemFactory().pk, "likelihood": 3, "impact": 4}


def test_api_create_update_delete_write_one_event_each_with_the_record_as_the_api_shows_it(leader):
    client = api_client(leader)
    created = client.post("/api/v1/risks/", risk_payload(), format="json")
    assert created.status_code == 201, created.content
    risk_id = created.json()["id"]
    updated = client.patch(f"/api/v1/risks/{risk_id}/", {"title": "Drift, measured"}, format="json")
    assert updated.status_code == 200
    shown = client.get(f"/api/v1/risks/{risk_id}/").json()
    assert client.delete(f"/api/v1/risks/{risk_id}/").status_code == 204
    events = list(Event.objects.filter(object_type="governance.risk"))
    assert [e.type for e in events] == ["risk.created", "risk.updated", "risk.deleted"]
    assert {(e.object_id, e.actor_id, e.channel) for e in events} == {(risk_id, leader.pk, "api")}
    assert events[0].data == created.json()
    assert events[1].data == updated.json()
    assert events[2].data == shown  # the last state of a deleted record


def test_pages_and_admin_emit_the_same_events_without_code_of_their_own(leader, executive):
    system = AISystemFactory()
    data = {"title": "Page risk", "category": "robustness", "ai_system": system.pk, "likelihood": 2, "impact": 2}
    response = page_client(leader).post(reverse("governance:risk_add"), data | {"status": "identified"})
    assert response.status_code == 302, response.content[:2000]
    event = Event.objects.get(type="risk.created")
    assert (event.channel, event.actor_id, event.data["title"]) == ("web", leader.pk, "Page risk")


def test_a_rolled_back_change_leaves_no_event(leader):
    with pytest.raises(RuntimeError), transaction.atomic():
        risk_create(by=leader, data={**risk_payload(), "ai_system": AISystemFactory()})
        assert Event.objects.filter(type="risk.created").exists()
        raise RuntimeError("the caller fails after the write")
    assert not Risk.objects.exists()
    assert not Event.objects.exists()


def test_a_refused_write_leaves_no_event(leader):
    response = api_client(leader).post("/api/v1/risks/", {**risk_payload(), "likelihood": 9}, format="json")
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_risk_acceptance_is_a_named_event(governance):
    risk = RiskFactory(status="assessed")
    response = api_client(governance).post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "Low"}, format="json")
    assert response.status_code == 200, response.content
    event = Event.objects.get()
    assert (event.type, event.object_id, event.data["status"]) == ("risk.accepted", risk.pk, "accepted")
    assert event.data == response.json()


def test_policy_version_workflow_names_each_move(governance, django_user_model):
    from tests.factories.people import PersonFactory, UserFactory

    reviewer = UserFactory(username="reviewer-2", roles=["governance"])
    PersonFactory(user=reviewer)
    first = PolicyVersionFactory(author=governance, policy=PolicyFactory(), body="# One")
    policyversion_submit(version=first, by=governance)
    policyversion_reject(version=first, by=reviewer, comment="Cite the law.")
    policyversion_submit(version=first, by=governance)
    policyversion_approve(version=first, by=reviewer)
    types = list(Event.objects.values_list("type", flat=True))
    assert types == [
        "policy_version.submitted",
        "policy_version.rejected",
        "policy_version.submitted",
        "policy_version.approved",
        "policy.updated",  # its next review date
    ]
    assert Event.objects.get(type="policy_version.rejected").data["review_comment"] == "Cite the law."


def test_a_stage_change_carries_from_to_and_the_override(executive):
    initiative = InitiativeFactory(stage="poc")
    moved = initiative_transition(
        initiative=initiative, by=executive, stage="pilot", override_justification="Board decision"
    )
    event = Event.objects.get()
    assert event.type == "initiative.stage_changed"
    assert event.data["stage"] == moved.stage == "pilot"
    action = event.data["action"]
    assert (action["from"], action["to"], action["override_justification"]) == ("poc", "pilot", "Board decision")
    assert action["failed_checks"]  # the gate's reasons the executive overrode


def test_a_point_that_changes_the_kpi_status_is_a_status_event(contributor):
    kpi = KPIFactory(target=80, warning_threshold=70, direction="higher_is_better")
    now = timezone.now()
    kpi_measurement_create(by=contributor, data={"kpi": kpi, "observed_at": now - timedelta(hours=2), "value": 90})
    kpi_measurement_create(by=contributor, data={"kpi": kpi, "observed_at": now - timedelta(hours=1), "value": 95})
    kpi_measurement_create(by=contributor, data={"kpi": kpi, "observed_at": now, "value": 10})
    changes = list(Event.objects.filter(type="kpi.status_changed"))
    assert [(e.data["action"]["from"], e.data["action"]["to"]) for e in changes] == [
        ("grey", "green"),
        ("green", "red"),
    ]
    assert {(e.object_type, e.object_id) for e in changes} == {("initiatives.kpi", kpi.pk)}
    assert changes[-1].data["status"] == "red"
    assert Event.objects.filter(type="kpi_measurement.created").count() == 3


def test_bulk_ingest_writes_one_event_per_kpi_per_batch(contributor, django_assert_max_num_queries):
    kpis = KPIFactory.create_batch(3, target=80, warning_threshold=70, direction="higher_is_better")
    start = timezone.now() - timedelta(days=1)
    batch = [
        {"kpi": kpis[i % 3].pk, "observed_at": (start + timedelta(minutes=i)).isoformat(), "value": 90}
        for i in range(300)
    ]
    response = api_client(contributor).post("/api/v1/kpi-measurements/bulk/", batch, format="json")
    assert response.status_code == 201, response.content[:500]
    added = {e.object_id: e.data["action"]["count"] for e in Event.objects.filter(type="kpi.measurements_added")}
    assert added == {k.pk: 100 for k in kpis}
    assert Event.objects.filter(type="kpi.status_changed").count() == 3
    assert Event.objects.count() == 6
    again = api_client(contributor).post("/api/v1/kpi-measurements/bulk/", batch, format="json")
    assert again.json() == {"created": 0, "skipped": 300}
    assert Event.objects.count() == 6  # nothing added, nothing announced
