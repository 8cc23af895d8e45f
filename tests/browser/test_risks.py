"""The stage gate in the browser: a leader is stopped by an open critical risk, a governance user
accepts the risk with a justification, and the leader's move then goes through."""

import pytest
from playwright.sync_api import expect

from initiatives.models import KPI
from tests.browser.conftest import ARTIFACTS, save_new_risk, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD
from tests.factories.risks import AISystemFactory, GateInitiativeFactory, MitigationFactory, RiskFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def switch_user(page, username):
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def test_a_governance_acceptance_lets_a_blocked_initiative_into_production(page):
    leader = make_persona("leader")
    make_persona("governance")
    initiative = GateInitiativeFactory(
        title="Claims triage assistant", stage="pilot", owner=Person.objects.get(user=leader)
    )
    KPI.objects.create(initiative=initiative, name="Triage time (hours)", target=4)
    system = AISystemFactory(initiative=initiative, name="Claims triage LLM", eu_ai_act_tier="limited")
    risk = RiskFactory(ai_system=system, title="Invents policy exclusions", likelihood=5, impact=5)
    MitigationFactory(risk=risk, description="Grounding on the policy wording", status="in_progress")
    RiskFactory(ai_system=system, title="Slow answers at peak", likelihood=2, impact=2)

    sign_in(page, "leader-user", PASSWORD)
    page.goto(initiative.get_absolute_url())
    checklist = page.locator(".gate-checklist")
    expect(checklist).to_contain_text(risk.key)  # visible before anyone tries
    page.get_by_label("Move to").select_option("production")
    page.get_by_role("button", name="Move").click()
    alert = page.locator(".alert-danger")
    expect(alert).to_contain_text(risk.key)
    expect(alert).to_contain_text("critical")
    expect(page.get_by_text("Stage gate to production")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "risks-gate-refused.png"), full_page=True)

    switch_user(page, "governance-user")
    page.goto("/governance/risks/")
    page.get_by_role("link", name="Inherent likelihood 5, impact 5: 1 risk, critical").click()
    page.screenshot(path=str(ARTIFACTS / "risks-register-heat-map.png"), full_page=True)
    page.get_by_role("link", name=str(risk.key)).click()
    page.get_by_role("link", name="Accept risk").click()
    page.get_by_role("button", name="Accept risk").click()  # blank: refused with the reason
    expect(page.get_by_text("Write why the organisation accepts this risk.")).to_be_visible()
    page.get_by_label("Justification").fill("Pilot results show grounding holds; reviewed with Claims.")
    page.get_by_role("button", name="Accept risk").click()
    expect(page.get_by_text("Accepted by governance-user")).to_be_visible()

    switch_user(page, "leader-user")
    page.goto(initiative.get_absolute_url())
    page.get_by_label("Move to").select_option("production")
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".alert-success")).to_be_visible()
    initiative.refresh_from_db()
    assert initiative.stage == "production"
    assert page.console_errors == []


def test_a_leader_registers_a_risk_from_the_risk_library(page):
    from governance.data import load_catalogue

    load_catalogue()  # a transactional test starts from a flushed database
    make_persona("leader")
    system = AISystemFactory(name="Support answer drafter")
    sign_in(page, "leader-user", PASSWORD)
    page.goto("/governance/risks/")
    page.get_by_role("link", name="Risk library").click()
    expect(page.locator("#risk-library tbody tr")).to_have_count(12)
    page.get_by_role("link", name="Register a risk: Confabulation").click()
    expect(page.locator("#from-library")).to_contain_text("Confabulation")
    expect(page.locator("#id_title")).to_have_value("Confabulation")
    expect(page.locator("#id_category")).to_have_value("hallucination_accuracy")
    page.locator("#id_ai_system").select_option(str(system.pk))
    risk = save_new_risk(page, likelihood="4", impact="3")
    assert (risk.requirement.code, risk.category, risk.ai_system) == ("CONFABULATION", "hallucination_accuracy", system)
    expect(page.locator("main")).to_contain_text("CONFABULATION Confabulation")
    page.goto("/governance/risks/library/")
    expect(page.locator("#entry-confabulation")).to_contain_text("1")
    assert page.console_errors == []
