"""An executive opens the dashboard, follows a heat-map cell to the matching risk list, and
downloads the executive report as a PDF, rendered by a real Celery worker while its page shows the
progress."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD
from tests.leadership.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_executive_goes_from_the_heat_map_to_the_risks_and_downloads_the_report(page, celery_worker):
    make_persona("executive")
    build_world(2)
    sign_in(page, "executive-user", PASSWORD)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "leadership-dashboard.png"), full_page=True)

    cell = page.get_by_test_id("heat-inherent-5-4")
    expect(cell).to_contain_text(re.compile(r"\b2 risks\b"))  # the cell reads its place, then its count
    cell.click()
    page.wait_for_url("**/governance/risks/?*likelihood=5*")
    expect(page.get_by_role("heading", name="Risks")).to_be_visible()
    rows = page.locator("table.table-hover tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("2 results")).to_be_visible()

    page.goto("/report/")
    expect(page.get_by_role("heading", name="Top residual risks")).to_be_visible()
    page.get_by_role("button", name="Download PDF").click()
    page.wait_for_url("**/report/pdf/jobs/*/")
    expect(page.get_by_role("heading", name="Executive report PDF")).to_be_visible()
    link = page.get_by_role("link", name="Download PDF")
    expect(link).to_be_visible(timeout=120_000)  # the page reloads itself until the worker is done
    page.screenshot(path=str(ARTIFACTS / "report-job-ready.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    path = ARTIFACTS / "executive-report.pdf"
    download.save_as(str(path))
    assert path.read_bytes()[:4] == b"%PDF"
    assert page.console_errors == []
