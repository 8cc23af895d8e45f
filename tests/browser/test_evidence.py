"""Evidence in the browser: a governance user drops a file on the upload form (opened from a risk's
page), watches the progress bar fill, lands on the evidence page, and the risk's page shows it in
its Evidence panel; a refused file comes back as a field error in the same form."""

import pytest
from playwright.sync_api import expect

from evidence.models import Evidence
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Every value the progress bar shows, kept in sessionStorage across the navigation that follows.
RECORD_PROGRESS = """
new MutationObserver(() => {
  const bar = document.querySelector("[data-evidence-progress]");
  if (bar && !bar.hidden) {
    const seen = JSON.parse(sessionStorage.getItem("progress") || "[]");
    seen.push(bar.getAttribute("aria-valuenow"));
    sessionStorage.setItem("progress", JSON.stringify(seen));
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["aria-valuenow", "hidden"]});
"""

DROP = """([name, text, size]) => {
  const data = new DataTransfer();
  data.items.add(new File([text + "x".repeat(size)], name, {type: "text/plain"}));
  const form = document.querySelector("form[data-evidence-upload]");
  form.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
}"""


def test_drop_a_file_watch_it_upload_and_see_it_on_the_risk(page, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    make_persona("governance")
    risk = RiskFactory(title="Prompt injection through uploaded documents")
    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, "governance-user", PASSWORD)

    page.goto(risk.get_absolute_url())
    page.get_by_role("link", name="Upload evidence").click()
    expect(page.locator("[data-evidence-drop]")).to_be_visible()  # the drop zone appears with JavaScript
    page.get_by_label("Title").fill("Red-team report, October")
    page.get_by_label("Kind").select_option("red_team_report")

    # A refused file first: the form comes back with the field error and keeps the title.
    page.evaluate(DROP, ["notes.md", "<html><script>alert(1)</script>", 10])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("HTML page")
    expect(page.get_by_label("Title")).to_have_value("Red-team report, October")

    page.evaluate("sessionStorage.removeItem('progress')")
    page.evaluate(DROP, ["red-team.md", "# Red-team notes\n", 3_000_000])
    expect(page.locator("[data-evidence-chosen]")).to_have_text("red-team.md")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/evidence/*/")
    evidence = Evidence.objects.get()
    assert page.url.endswith(evidence.get_absolute_url())
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert "0" in seen and "100" in seen, seen
    expect(page.locator("[data-versions]")).to_contain_text("red-team.md")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evidence-detail.png"), full_page=True)

    page.goto(risk.get_absolute_url())
    panel = page.locator(".evidence-panel")
    expect(panel).to_contain_text("Red-team report, October")
    expect(panel).to_contain_text("red-team.md")
    download = page.request.get(evidence.get_download_url())
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert page.console_errors == []
