"""Issue 21's pages in a browser: the API docs under the CSP, the risk form's live score, the
enhanced multi-selects, bulk actions on a list. Few tests, each a whole user flow."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def axe_violations(page):
    """axe-core (WCAG 2.2 AA) on the page as it is, loaded from our static files (the CSP allows it)."""
    from tests.browser.test_accessibility import WCAG_22_AA

    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_22_AA
    )
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}" for v in result["violations"]]


def test_the_api_docs_render_from_a_schema_generated_once_without_a_console_error(page, monkeypatch):
    """The docs waited ~6 s behind a spinner because every load generated the schema again. Speed is
    not timed here (non-negotiable 6): the cause is checked instead, the generator runs once per
    process however often the docs are loaded."""
    from drf_spectacular.generators import SchemaGenerator

    from vpportal.api.docs import SchemaView

    monkeypatch.setattr(SchemaView, "_cache", {})
    generated = []
    real_get_schema = SchemaGenerator.get_schema

    def counting_get_schema(self, *args, **kwargs):
        generated.append(1)
        return real_get_schema(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting_get_schema)
    make_persona("leader")
    sign_in(page, "leader-user", PASSWORD)
    for _ in range(3):
        page.goto("/api/v1/docs/")
        # Generous: the first load generates the schema (seconds on a loaded 2-core machine).
        expect(page.get_by_role("heading", name=re.compile("^VP Portal API"))).to_be_visible(timeout=60_000)
        expect(page.get_by_role("link", name="acknowledgements", exact=True)).to_be_visible()  # an operation group
    assert len(generated) == 1
    assert page.console_errors == []  # the CSP refused nothing (no inline style, no inline script)


def test_the_risk_form_shows_the_score_and_level_while_the_user_picks(page):
    make_persona("leader")
    sign_in(page, "leader-user", PASSWORD)
    page.goto(reverse("governance:risk_add"))
    inherent, residual = page.locator("#score-inherent"), page.locator("#score-residual")
    expect(inherent).to_have_text("1 Low")  # the first choices, 1 Rare and 1 Negligible
    page.locator("#id_likelihood").select_option(label="4 Likely")
    page.locator("#id_impact").select_option(label="5 Severe")
    expect(inherent).to_have_text("20 Critical")
    expect(residual).to_have_text("20 Critical")  # the residual values default to the inherent ones
    page.locator("#id_residual_likelihood").select_option(label="2 Unlikely")
    expect(residual).to_have_text("10 High")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_a_multi_value_filter_is_a_checkbox_group_ticked_without_ctrl_click(page):
    from tests.factories.risks import RiskFactory

    make_persona("leader")
    RiskFactory(title="Identified one", status="identified")
    RiskFactory(title="Assessed one", status="assessed")
    RiskFactory(title="Closed one", status="closed")
    sign_in(page, "leader-user", PASSWORD)
    page.goto(reverse("governance:risk_list"))
    status = page.locator("#id_status")
    status.locator("summary").click()
    status.get_by_label("Identified").check()
    status.get_by_label("Assessed").check()
    expect(status.locator("summary")).to_have_text("Status: Identified, Assessed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Closed one")).to_have_count(0)
    expect(page.get_by_text("Assessed one")).to_be_visible()
    expect(page.locator("#id_status summary")).to_have_text("Status: Identified, Assessed")
    page.locator("#id_status summary").click()
    assert axe_violations(page) == []  # with the group open
    assert page.console_errors == []


KEY_PAGES = ("risk-list", "kpi-list", "initiative", "initiative-history", "report")
# What issue 21 found reading like a database: Django's defaults and raw values.
RAW = re.compile(r"\bKpi\b|\[invalid name\]|---------|\b[ap]\.m\.|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\['")


def test_the_key_pages_read_as_a_product_on_a_desktop_and_a_phone(page):
    """Screenshots of the pages a VP shows their board, at desktop and phone width (saved under
    test-artifacts/screens/ for a person to look at), with none of the raw values issue 21 listed
    and no sideways page scroll at 390 px."""
    from initiatives.models import Initiative
    from initiatives.services.portfolio import initiative_update
    from tests.browser.conftest import ARTIFACTS
    from tests.browser.test_accessibility import PHONE, SETTLED_OVERFLOW
    from tests.leadership.conftest import build_world

    executive = make_persona("executive")
    build_world(1)
    initiative = Initiative.objects.order_by("pk").first()
    initiative_update(initiative, by=executive, data={"partner_functions": ["legal", "compliance"]})
    urls = dict(
        zip(
            KEY_PAGES,
            (
                reverse("governance:risk_list"),
                reverse("initiatives:kpi_list"),
                initiative.get_absolute_url(),
                reverse("initiatives:initiative_history", args=[initiative.pk]),
                reverse("report"),
            ),
            strict=True,
        )
    )
    folder = ARTIFACTS / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(30_000)  # a shared CI machine under load; no time is asserted
    sign_in(page, "executive-user", PASSWORD)
    problems = []
    for name, url in urls.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        raw = RAW.findall(page.locator("main").inner_text())
        if raw:
            problems.append(f"{name}: reads {raw[:5]}")
        page.set_viewport_size(PHONE)
        overflow = page.evaluate(SETTLED_OVERFLOW)
        page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
        if overflow > 0:
            problems.append(f"{name}: scrolls sideways by {overflow} px at 390 px")
    assert problems == []
    assert page.console_errors == []


FOCUS_STYLE = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  return [e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || e.value || '').trim().slice(0, 30), ring];
}"""


def test_every_control_reached_by_tab_shows_a_focus_ring(page):
    """Keyboard users see where they are: the first controls of the risk list (skip link, navigation,
    filters, heat-map cells, bulk toolbar, rows), reached with Tab, each draw a visible ring."""
    from tests.factories.risks import RiskFactory

    make_persona("leader")
    RiskFactory(likelihood=4, impact=3)
    page.set_default_timeout(30_000)  # a shared CI machine under load; no time is asserted
    sign_in(page, "leader-user", PASSWORD)
    page.goto(reverse("governance:risk_list"))
    page.locator("body").click(position={"x": 1, "y": 1})
    without_ring = []
    for _ in range(40):
        page.keyboard.press("Tab")
        element, ring = page.evaluate(FOCUS_STYLE)
        if not ring:
            without_ring.append(element)
    assert without_ring == []
