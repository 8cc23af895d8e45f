"""An executive opens the dashboard, follows a heat-map cell to the matching risk list, and
downloads the executive report as a PDF."""

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD
from tests.leadership.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_executive_goes_from_the_heat_map_to_the_risks_and_downloads_the_report(page):
    make_persona("executive")
    build_world(2)
    sign_in(page, "executive-user", PASSWORD)
    page.goto("/dashboard/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    page.screenshot(path=str(ARTIFACTS / "leadership-dashboard.png"), full_page=True)

    cell = page.get_by_test_id("heat-inherent-5-4")
    assert cell.inner_text().startswith("2")
    cell.click()
    page.wait_for_url("**/governance/risks/?*likelihood=5*")
    assert page.get_by_role("heading", name="Risks").is_visible()
    rows = page.locator("table.table-hover tbody tr")
    assert rows.count() == 2
    assert page.get_by_text("2 results").is_visible()

    page.goto("/report/")
    assert page.get_by_role("heading", name="Top residual risks").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    path = ARTIFACTS / "executive-report.pdf"
    download.save_as(str(path))
    assert path.read_bytes()[:4] == b"%PDF"
    assert page.console_errors == []
