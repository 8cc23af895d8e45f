"""The portfolio's main flow in a real browser: create an initiative, add a KPI and a measurement,
and see the KPI's status on the initiative page (with the trend chart drawn under the strict CSP)."""

import re

import pytest
from playwright.sync_api import expect

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
    page.wait_for_url(re.compile(r"/initiatives/\d+/$"))  # the save finished before the database is read

    initiative = Initiative.objects.get(title="Claims triage model")
    assert page.url.endswith(f"/initiatives/{initiative.pk}/")
    expect(page.get_by_role("heading", name=f"{initiative.key} Claims triage model")).to_be_visible()
    expect(page.get_by_text("The initiative has no KPI with a target")).to_be_visible()

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
    expect(page.get_by_text("Measurement added.")).to_be_visible()
    expect(page.locator("#kpi-trend")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portfolio-kpi-detail.png"), full_page=True)

    page.goto(f"/initiatives/{initiative.pk}/")
    row = page.get_by_role("row").filter(has_text="Claims routed correctly")
    expect(row.get_by_text("Amber")).to_be_visible()
    expect(row.locator("svg.sparkline")).to_have_count(1)
    expect(page.locator(".gate-checklist").get_by_text("Passed").first).to_be_visible()
    assert page.console_errors == []  # CSP blocked nothing, no script failed
