"""The main policy flow in a real browser: draft, submit, approve by a second reviewer, acknowledge."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD, PersonFactory, UserFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def switch_user(page, username):
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def test_a_policy_is_drafted_submitted_approved_by_another_and_acknowledged(page):
    make_persona("governance")
    make_persona("contributor")
    second = UserFactory(username="second-reviewer", roles=["governance"])
    PersonFactory(user=second, name="Second Reviewer")
    policy = PolicyFactory(title="Generative AI acceptable use", category="generative_ai")

    # A governance user drafts the first version and submits it for review.
    sign_in(page, "governance-user", PASSWORD)
    page.goto(policy.get_absolute_url())
    page.get_by_role("link", name="New version").click()
    page.get_by_label("Body (Markdown)").fill("# Allowed\n\n- Drafting text with **approved** tools.\n")
    page.get_by_label("Change summary").fill("First version")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile(r"POL-\d+ v1"))).to_be_visible()
    page.get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("submitted for review")).to_be_visible()
    # The author is not offered an approval of their own version.
    expect(page.get_by_role("link", name="Approve")).to_have_count(0)

    # A second governance user approves it.
    switch_user(page, "second-reviewer")
    page.goto(policy.get_absolute_url())
    page.get_by_role("link", name="v1").click()
    page.get_by_role("link", name="Approve").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("approved.")).to_be_visible()

    # A contributor sees it on the home page, acknowledges it, and the policy page shows it.
    switch_user(page, "contributor-user")
    expect(page.get_by_role("heading", name="Policies I still have to acknowledge")).to_be_visible()
    page.get_by_role("link", name=re.compile("Generative AI acceptable use")).click()
    expect(page.locator(".policy-body strong")).to_have_text("approved")
    page.get_by_role("button", name="I have read and acknowledge version 1").click()
    expect(page.get_by_role("status")).to_contain_text("You acknowledged")
    expect(page.locator("#acknowledged-list")).to_contain_text("Contributor Persona")
    expect(page.locator("#not-acknowledged-list")).not_to_contain_text("Contributor Persona")
    assert page.console_errors == []  # CSP blocked nothing, no script failed
