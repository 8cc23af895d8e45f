"""Issue 21's pages in a browser: the API docs under the CSP, the risk form's live score, the
enhanced multi-selects, bulk actions on a list. Few tests, each a whole user flow."""

import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_within_a_second_without_a_console_error(page):
    make_persona("leader")
    sign_in(page, "leader-user", PASSWORD)
    page.goto("/api/v1/docs/")  # the first load after a start generates the schema (about a second)
    expect(page.get_by_role("heading", name=re.compile("^VP Portal API"))).to_be_visible()
    started = time.monotonic()
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^VP Portal API"))).to_be_visible()
    elapsed = time.monotonic() - started
    expect(page.get_by_role("link", name="acknowledgements", exact=True)).to_be_visible()  # an operation group
    assert page.console_errors == []  # the CSP refused nothing (no inline style, no inline script)
    assert elapsed < 1.0, f"the docs took {elapsed:.2f} s"


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
    assert page.console_errors == []
