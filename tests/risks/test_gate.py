"""The governance checks of the stage gate: each passes and fails, with plain-words reasons naming
the system, risk or policy, in every channel (service, page, API, admin), and an executive override
with a justification is recorded."""

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.gate_checks import check_ai_act_tiers, check_open_high_risks, check_policy_acknowledgements
from governance.models import Acknowledgement, Policy, PolicyVersion
from initiatives import gate
from initiatives.models import KPI
from tests.conftest import api_client, page_client
from tests.factories.risks import AISystemFactory, GateInitiativeFactory, RiskFactory

pytestmark = pytest.mark.django_db


def ready_initiative(stage="poc"):
    """An initiative every check lets through: assessed system, KPI with a target, nothing open."""
    initiative = GateInitiativeFactory(stage=stage)
    AISystemFactory(initiative=initiative, name="Scorer", eu_ai_act_tier="limited")
    KPI.objects.create(initiative=initiative, name="Approval time", target=2)
    return initiative


def approved_policy(category, code, author):
    policy = Policy.objects.create(code=code, title=f"{category} policy", category=category)
    return PolicyVersion.objects.create(
        policy=policy, number=1, author=author, status="approved", approved_at=timezone.now()
    )


# --- each check on its own ----------------------------------------------------------------------
def test_tier_check_names_unassessed_and_prohibited_systems():
    initiative = ready_initiative()
    assert check_ai_act_tiers(initiative, "pilot") == []
    AISystemFactory(initiative=initiative, name="Unrated bot", eu_ai_act_tier="unassessed")
    AISystemFactory(initiative=initiative, name="Social scorer", eu_ai_act_tier="prohibited")
    reasons = check_ai_act_tiers(initiative, "pilot")
    assert len(reasons) == 2
    assert any("Unrated bot" in r and "unassessed" in r for r in reasons)
    assert any("Social scorer" in r and "prohibited" in r for r in reasons)


@pytest.mark.parametrize(
    ("likelihood", "impact", "residual", "status", "blocks"),
    [
        (4, 4, None, "identified", True),  # high (16)
        (5, 5, None, "mitigating", True),  # critical (25)
        (3, 3, None, "identified", False),  # medium (9)
        (5, 5, (3, 3), "mitigating", False),  # residual medium although inherent critical
        (5, 5, (5, 2), "assessed", True),  # residual high (10)
        (5, 5, None, "accepted", False),
        (5, 5, None, "closed", False),
    ],
)
def test_risk_check_blocks_open_high_or_critical_residual_risks_only(likelihood, impact, residual, status, blocks):
    initiative = ready_initiative()
    r_l, r_i = residual or (None, None)
    risk = RiskFactory(
        ai_system=initiative.ai_systems.get(),
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=r_l,
        residual_impact=r_i,
        status=status,
    )
    reasons = check_open_high_risks(initiative, "pilot")
    assert bool(reasons) is blocks
    if blocks:
        assert risk.key in reasons[0] and risk.title in reasons[0] and risk.residual_level in reasons[0]


def test_risk_check_covers_risks_of_the_initiative_itself():
    initiative = ready_initiative()
    risk = RiskFactory(ai_system=None, initiative=initiative, likelihood=5, impact=4)
    assert [risk.key in reason for reason in check_open_high_risks(initiative, "pilot")] == [True]


def test_acknowledgement_check_applies_to_production_only_and_names_the_policy(executive):
    initiative = ready_initiative(stage="pilot")
    rai = approved_policy("responsible_ai", "POL-901", executive)
    mrm = approved_policy("model_risk", "POL-902", executive)
    approved_policy("security", "POL-903", executive)  # not a gate category
    assert [r.code for r in gate.evaluate(initiative, "pilot")].count("policy_acknowledgements") == 0
    reasons = check_policy_acknowledgements(initiative, "production")
    assert len(reasons) == 2 and any("POL-901" in r for r in reasons) and any("POL-902" in r for r in reasons)
    assert str(initiative.owner) in reasons[0]
    Acknowledgement.objects.create(person=initiative.owner, policy_version=rai)
    Acknowledgement.objects.create(person=initiative.owner, policy_version=mrm)
    assert check_policy_acknowledgements(initiative, "production") == []


def test_an_acknowledgement_of_an_older_version_does_not_count(executive):
    initiative = ready_initiative(stage="pilot")
    old = approved_policy("responsible_ai", "POL-904", executive)
    old.status = "superseded"
    old.save()
    PolicyVersion.objects.create(policy=old.policy, number=2, author=executive, status="approved")
    Acknowledgement.objects.create(person=initiative.owner, policy_version=old)
    assert ["POL-904" in r and "version 2" in r for r in check_policy_acknowledgements(initiative, "production")] == [
        True
    ]


def test_the_governance_checks_are_registered_in_the_gate():
    codes = [check.code for check in gate.GATE_CHECKS]
    assert {"ai_act_tiers", "open_high_risks", "policy_acknowledgements"} <= set(codes)


# --- every channel --------------------------------------------------------------------------------
def blocked_initiative():
    initiative = ready_initiative()
    risk = RiskFactory(ai_system=initiative.ai_systems.get(), likelihood=5, impact=5, title="Unfair denials")
    return initiative, risk


def test_the_api_refuses_with_409_and_each_failed_check_then_allows_once_accepted(leader, governance):
    initiative, risk = blocked_initiative()
    url = f"/api/v1/initiatives/{initiative.pk}/transition/"
    refused = api_client(leader).post(url, {"stage": "pilot"}, format="json")
    assert refused.status_code == 409
    failed = refused.json()["failed_checks"]
    assert any(risk.key in reason and "Unfair denials" in reason for reason in failed)
    initiative.refresh_from_db()
    assert initiative.stage == "poc"
    api_client(governance).post(f"/api/v1/risks/{risk.pk}/accept/", {"justification": "Pilot only."}, format="json")
    allowed = api_client(leader).post(url, {"stage": "pilot"}, format="json")
    assert allowed.status_code == 200 and allowed.json()["stage"] == "pilot"


def test_the_api_reports_the_tier_check_in_plain_words(leader):
    initiative = ready_initiative()
    AISystemFactory(initiative=initiative, name="Unrated bot", eu_ai_act_tier="unassessed")
    refused = api_client(leader).post(f"/api/v1/initiatives/{initiative.pk}/transition/", {"stage": "pilot"})
    assert refused.status_code == 409
    assert any("Unrated bot" in reason for reason in refused.json()["failed_checks"])


def test_the_api_reports_missing_acknowledgements_for_production(leader, executive):
    initiative = ready_initiative(stage="pilot")
    approved_policy("model_risk", "POL-905", executive)
    refused = api_client(leader).post(f"/api/v1/initiatives/{initiative.pk}/transition/", {"stage": "production"})
    assert refused.status_code == 409
    assert any("POL-905" in reason for reason in refused.json()["failed_checks"])


def test_the_initiative_page_lists_the_failed_check_before_anyone_tries(leader):
    initiative, risk = blocked_initiative()
    body = page_client(leader).get(initiative.get_absolute_url()).content.decode()
    assert risk.key in body and "No open high or critical residual risk" in body
    assert "Scorer" in body  # the AI systems panel lists the initiative's systems


def test_the_transition_page_shows_the_failed_check_and_keeps_the_stage(leader):
    initiative, risk = blocked_initiative()
    url = reverse("initiatives:initiative_transition", args=[initiative.pk])
    response = page_client(leader).post(url, {"stage": "pilot", "version": initiative.version}, follow=True)
    assert risk.key in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.stage == "poc"


def test_the_admin_refuses_the_move_naming_the_failed_check_then_allows_it_once_accepted(executive, governance):
    initiative, risk = blocked_initiative()
    changelist = reverse("admin:initiatives_initiative_changelist")
    action = {"action": "move_to_pilot", "_selected_action": [initiative.pk]}
    response = page_client(executive).post(changelist, action, follow=True)
    assert risk.key in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.stage == "poc"
    page_client(governance).post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "Pilot."})
    page_client(executive).post(changelist, action, follow=True)
    initiative.refresh_from_db()
    assert initiative.stage == "pilot"


def test_an_executive_override_with_justification_is_recorded(executive, leader):
    initiative, risk = blocked_initiative()
    url = f"/api/v1/initiatives/{initiative.pk}/transition/"
    not_exec = api_client(leader).post(url, {"stage": "pilot", "override_justification": "Board said so"})
    assert not_exec.status_code == 403
    response = api_client(executive).post(
        url, {"stage": "pilot", "override_justification": "Board approved a 4-week pilot."}, format="json"
    )
    assert response.status_code == 200
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.gate_override_justification) == ("pilot", "Board approved a 4-week pilot.")
    latest = initiative.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.gate_override_justification) == (executive, "Board approved a 4-week pilot.")
