"""Incidents in the browser: a serious incident shows its Article 73 countdown (urgent, then overdue
in red on the page, the due queue and the dashboard), and a leader raises a risk from it, prefilled
and linked both ways."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, save_new_risk, sign_in
from tests.conftest import make_persona
from tests.factories.incidents import IncidentFactory
from tests.factories.people import PASSWORD
from tests.factories.risks import AISystemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_report_countdown_and_raising_a_risk_from_an_incident(page):
    make_persona("leader")
    system = AISystemFactory(name="Grid load forecaster")
    now = timezone.now()
    urgent = IncidentFactory(
        title="Forecaster cut power to a district",
        category="safety",
        severity="critical",
        serious=True,
        serious_kind="critical_infrastructure",
        occurred_at=now - datetime.timedelta(hours=26),
        detected_at=now - datetime.timedelta(hours=25),
        ai_systems=[system],
    )
    overdue = IncidentFactory(
        title="Substation left unbalanced",
        serious=True,
        serious_kind="critical_infrastructure",
        occurred_at=now - datetime.timedelta(days=4),
        detected_at=now - datetime.timedelta(days=3),
    )

    sign_in(page, "leader-user", PASSWORD)
    page.goto(urgent.get_absolute_url())
    deadline = page.locator("#report-deadline")
    expect(deadline).to_contain_text("Report due")
    expect(deadline).to_contain_text("hours left")
    expect(deadline).to_have_class("alert alert-warning")
    page.goto(overdue.get_absolute_url())
    expect(page.locator("#report-deadline")).to_contain_text("overdue by 1 day")
    expect(page.locator("#report-deadline")).to_have_class("alert alert-danger")
    page.goto("/due/")
    expect(page.locator("tr.table-danger")).to_contain_text("Substation left unbalanced")
    expect(page.locator("tr.table-warning")).to_contain_text("Forecaster cut power")
    page.goto("/dashboard/")
    expect(page.locator("#dash-report-deadlines .report-overdue")).to_contain_text("overdue by")

    page.goto(urgent.get_absolute_url())
    page.get_by_role("link", name="Raise a risk").click()
    expect(page.locator("#raised-from")).to_contain_text(urgent.key)
    expect(page.locator("#id_category")).to_have_value("safety")
    expect(page.locator("#id_ai_system")).to_have_value(str(system.pk))
    risk = save_new_risk(page, likelihood="3", impact="5")
    page.goto(urgent.get_absolute_url())
    expect(page.locator("#incident-risks")).to_contain_text(risk.key)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "incident-risk-raised.png"), full_page=True)
    assert list(risk.incidents.all()) == [urgent]
    assert page.console_errors == []
