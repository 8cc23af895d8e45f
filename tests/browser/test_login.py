import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_signs_in_and_lands_on_home_with_navigation(page):
    make_persona("leader")
    sign_in(page, "leader-user", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Leader Persona")).to_be_visible()
    page.get_by_role("button", name="Team").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.get_by_role("link", name="Leader Persona")).to_be_visible()
    assert page.console_errors == []  # CSP blocked nothing, no script failed


def test_wrong_password_shows_an_error_and_keeps_the_login(page):
    make_persona("contributor")
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("contributor-user")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Username or email").input_value() == "contributor-user"
