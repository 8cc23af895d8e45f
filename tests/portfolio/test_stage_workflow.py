"""Initiative stages on the declared-transition mechanism (django-fsm, as risks and policy versions):
the gate is the condition of the gated moves, the override is a transition of its own that records
the failed checks, every channel asks `stage_moves`, and `uses_ai` decides the AI-system checks."""

import pytest
from django.urls import reverse
from django_fsm import TransitionNotAllowed, can_proceed

from governance.gate_checks import MSG_NO_AI_SYSTEM
from initiatives import gate
from initiatives.models import KPI, Initiative
from initiatives.services import portfolio as services
from tests.conftest import api_client, page_client
from tests.factories.risks import AISystemFactory, GateInitiativeFactory
from vpportal.core.services import TransitionError

pytestmark = pytest.mark.django_db


def ready_initiative(stage="poc", **kwargs):
    """Every check lets it through: an assessed AI system, a KPI with a target, nothing open."""
    initiative = GateInitiativeFactory(stage=stage, **kwargs)
    AISystemFactory(initiative=initiative, name="Scorer", eu_ai_act_tier="limited")
    KPI.objects.create(initiative=initiative, name="Approval time", target=2)
    return initiative


def blocked_initiative(stage="poc"):
    """Fails the gate on its KPI: it has none."""
    initiative = GateInitiativeFactory(stage=stage)
    AISystemFactory(initiative=initiative, eu_ai_act_tier="minimal")
    return initiative


# --- the model declares the moves; the gate is their condition ------------------------------------
def test_the_stage_moves_are_declared_transitions_on_the_model():
    initiative = Initiative(stage="idea")
    assert can_proceed(initiative.to_discovery) and can_proceed(initiative.retire)
    assert not can_proceed(initiative.to_pilot, check_conditions=False)  # skipping is not declared


def test_the_gate_is_the_condition_of_the_move_into_pilot():
    initiative = blocked_initiative()
    assert can_proceed(initiative.to_pilot, check_conditions=False)
    assert not can_proceed(initiative.to_pilot)
    with pytest.raises(TransitionNotAllowed):
        initiative.to_pilot()
    gate.forget(initiative)
    KPI.objects.create(initiative=initiative, name="Time saved", target=5)
    assert can_proceed(initiative.to_pilot)


def test_the_override_transition_exists_only_while_the_gate_fails():
    blocked, ready = blocked_initiative(), ready_initiative()
    assert can_proceed(blocked.override_gate_to_pilot)
    assert not can_proceed(ready.override_gate_to_pilot)


# --- every channel asks stage_moves -----------------------------------------------------------------
def test_stage_moves_tell_each_user_what_they_may_do_now(leader, executive, auditor):
    initiative = blocked_initiative()
    by_stage = {move.stage: move for move in services.stage_moves(initiative, leader)}
    assert list(by_stage) == ["pilot", "discovery", "retired"]
    assert not by_stage["pilot"].allowed and gate.MSG_NO_KPI_WITH_TARGET in by_stage["pilot"].failed_checks
    assert by_stage["discovery"].allowed and not by_stage["discovery"].failed_checks
    pilot = next(m for m in services.stage_moves(initiative, executive) if m.stage == "pilot")
    assert pilot.allowed and pilot.needs_override
    assert not any(move.allowed for move in services.stage_moves(initiative, auditor))


def test_the_api_answers_the_same_stage_moves(leader):
    initiative = blocked_initiative()
    response = api_client(leader).get(f"/api/v1/initiatives/{initiative.pk}/stage-moves/")
    assert response.status_code == 200
    pilot = next(move for move in response.json() if move["stage"] == "pilot")
    assert (pilot["allowed"], pilot["needs_override"]) == (False, False)
    assert gate.MSG_NO_KPI_WITH_TARGET in pilot["failed_checks"]


def test_the_page_marks_a_blocked_move_and_offers_the_override_only_to_an_executive(leader, executive):
    initiative = blocked_initiative()
    leader_form = page_client(leader).get(initiative.get_absolute_url()).context["transition_form"]
    assert "blocked by the stage gate" in dict(leader_form.fields["stage"].choices)["pilot"]
    assert "override_justification" not in leader_form.fields
    executive_form = page_client(executive).get(initiative.get_absolute_url()).context["transition_form"]
    assert "override_justification" in executive_form.fields


def test_no_override_field_when_the_gate_passes(executive):
    initiative = ready_initiative()
    form = page_client(executive).get(initiative.get_absolute_url()).context["transition_form"]
    assert "override_justification" not in form.fields
    assert dict(form.fields["stage"].choices)["pilot"] == "Pilot"


# --- the override records which checks failed ---------------------------------------------------------
def test_an_override_records_the_failed_checks_on_the_initiative_and_in_its_history(executive):
    initiative = blocked_initiative()
    services.initiative_transition(
        initiative=initiative, by=executive, stage="pilot", override_justification="Board decision."
    )
    initiative.refresh_from_db()
    assert initiative.gate_override_failed_checks == [gate.MSG_NO_KPI_WITH_TARGET]
    latest = initiative.history.first()
    assert (latest.gate_override_justification, latest.gate_override_failed_checks) == (
        "Board decision.",
        [gate.MSG_NO_KPI_WITH_TARGET],
    )
    body = page_client(executive).get(initiative.get_absolute_url()).content.decode()
    assert "Checks that failed at the override" in body and gate.MSG_NO_KPI_WITH_TARGET in body


def test_the_override_event_carries_the_failed_checks_and_the_justification(executive, auditor):
    """The third place PRODUCT.md names: the event (feed and webhooks) of the move."""
    initiative = blocked_initiative()
    url = f"/api/v1/initiatives/{initiative.pk}/transition/"
    api_client(executive).post(url, {"stage": "pilot", "override_justification": "Board decision."}, format="json")
    feed = api_client(auditor).get("/api/v1/events/", {"type": "initiative.stage_changed"}).json()["results"]
    (event,) = [e for e in feed if e["object_id"] == initiative.pk]
    assert event["data"]["action"] == {
        "from": "poc",
        "to": "pilot",
        "override_justification": "Board decision.",
        "failed_checks": [gate.MSG_NO_KPI_WITH_TARGET],
    }
    assert event["data"]["gate_override_failed_checks"] == [gate.MSG_NO_KPI_WITH_TARGET]


def test_a_later_move_through_a_passing_gate_clears_the_recorded_override(executive, leader):
    initiative = blocked_initiative(stage="pilot")
    KPI.objects.create(initiative=initiative, name="Time saved", target=5)
    initiative.gate_override_justification, initiative.gate_override_failed_checks = "Earlier.", ["x"]
    initiative.save()
    services.initiative_transition(initiative=initiative, by=leader, stage="poc")
    initiative.refresh_from_db()
    assert (initiative.gate_override_justification, initiative.gate_override_failed_checks) == ("", [])


def test_the_api_exposes_the_failed_checks_of_an_override(executive):
    initiative = blocked_initiative()
    url = f"/api/v1/initiatives/{initiative.pk}/transition/"
    response = api_client(executive).post(url, {"stage": "pilot", "override_justification": "Go."}, format="json")
    assert response.status_code == 200
    assert response.json()["gate_override_failed_checks"] == [gate.MSG_NO_KPI_WITH_TARGET]


def test_the_refusal_tells_an_executive_that_an_override_is_possible(executive, leader):
    initiative = blocked_initiative()
    url = f"/api/v1/initiatives/{initiative.pk}/transition/"
    refused = api_client(executive).post(url, {"stage": "pilot"}, format="json")
    assert refused.status_code == 409
    assert "override the gate with a justification" in refused.json()["detail"]
    assert refused.json()["failed_checks"] == [gate.MSG_NO_KPI_WITH_TARGET]
    as_leader = api_client(leader).post(url, {"stage": "pilot"}, format="json")
    assert as_leader.status_code == 409 and "override" not in as_leader.json()["detail"]


def test_the_page_tells_an_executive_that_an_override_is_possible(executive):
    initiative = blocked_initiative()
    url = reverse("initiatives:initiative_transition", args=[initiative.pk])
    response = page_client(executive).post(url, {"stage": "pilot", "version": initiative.version}, follow=True)
    assert "override the gate with a justification" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.stage == "poc"


# --- uses_ai ---------------------------------------------------------------------------------------
def test_an_ai_initiative_without_any_ai_system_fails_the_gate(leader):
    initiative = GateInitiativeFactory(stage="poc")
    KPI.objects.create(initiative=initiative, name="Approval time", target=2)
    assert initiative.uses_ai
    with pytest.raises(TransitionError) as refused:
        services.initiative_transition(initiative=initiative, by=leader, stage="pilot")
    assert refused.value.details == [MSG_NO_AI_SYSTEM]
    checklist = {result.code: result for result in gate.evaluate(initiative, "pilot")}
    assert not checklist["ai_system_registered"].passed


def test_an_initiative_that_does_not_use_ai_skips_the_ai_system_checks(leader):
    initiative = GateInitiativeFactory(stage="poc", uses_ai=False)
    KPI.objects.create(initiative=initiative, name="Report lead time", target=2)
    AISystemFactory(initiative=initiative, eu_ai_act_tier="unassessed")  # not checked either
    assert services.initiative_transition(initiative=initiative, by=leader, stage="pilot").stage == "pilot"


def test_uses_ai_is_in_the_form_the_api_the_export_and_the_detail_page(leader):
    initiative = ready_initiative(uses_ai=False)
    response = page_client(leader).get(reverse("initiatives:initiative_edit", args=[initiative.pk]))
    assert "uses_ai" in response.context["form"].fields
    assert api_client(leader).get(f"/api/v1/initiatives/{initiative.pk}/").json()["uses_ai"] is False
    body = page_client(leader).get(initiative.get_absolute_url()).content.decode()
    assert "does not use AI" in body
    created = api_client(leader).post(
        "/api/v1/initiatives/", {"title": "Data clean-up", "owner": initiative.owner_id, "uses_ai": False}
    )
    assert created.status_code == 201 and Initiative.objects.get(pk=created.json()["id"]).uses_ai is False
