"""The portfolio's main flow in a real browser: create an initiative, add a KPI and a measurement,
and see the KPI's status on the initiative page (with the trend chart drawn under the strict CSP)."""

import pytest

from initiatives.models import Initiative
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_creates_an_initiative_adds_a_kpi_and_a_measurement_and_sees_its_status(page):
    make_persona("leader")
    sign_in(page, "leader-user", PASSWORD)
    page.goto("/initiatives/")
    page.get_by_role("link", name="Add initiative").click()
    page.get_by_label("Title").fill("Claims triage model")
    page.get_by_label("Summary").fill("Route insurance claims to the right team on arrival.")
    page.get_by_label("Owner").select_option(label="Leader Persona")
    page.get_by_label("Partner functions").select_option(["finance", "legal"])
    page.get_by_label("Tags").fill("triage, classification")
    page.get_by_role("button", name="Save").click()

    initiative = Initiative.objects.get(title="Claims triage model")
    page.wait_for_url(f"**/initiatives/{initiative.pk}/")
    assert page.get_by_role("heading", name=f"{initiative.key} Claims triage model").is_visible()
    assert page.get_by_text("The initiative has no KPI with a target").is_visible()

    page.get_by_role("link", name="Add KPI").click()
    page.get_by_label("Name").fill("Claims routed correctly")
    page.get_by_label("Unit").fill("%")
    page.get_by_label("Target").fill("90")
    page.get_by_label("Warning threshold").fill("80")
    page.get_by_label("Cadence").select_option("daily")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/initiatives/kpis/*/")

    page.get_by_label("Value").fill("84.5")
    page.get_by_label("Source").fill("manual")
    page.get_by_role("button", name="Add measurement").click()
    assert page.get_by_text("Measurement added.").is_visible()
    assert page.locator("#kpi-trend").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portfolio-kpi-detail.png"), full_page=True)

    page.goto(f"/initiatives/{initiative.pk}/")
    row = page.get_by_role("row").filter(has_text="Claims routed correctly")
    assert row.get_by_text("Amber").is_visible()
    assert row.locator("svg.sparkline").count() == 1
    assert page.locator(".gate-checklist").get_by_text("Passed").first.is_visible()
    assert page.console_errors == []  # CSP blocked nothing, no script failed
