"""The home page of a contributor and of an executive in a real browser: "My work" reads well at
desktop and phone width (no sideways page scroll at 390 px), axe-core finds nothing, a "see all"
link opens the list it counts, and recent activity shows a class's fifteen seats as one line.
Screenshots land in test-artifacts/ (home-<role>.png, home-<role>-phone.png)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_accessibility import PHONE, SETTLED_OVERFLOW, _axe
from tests.conftest import make_persona
from tests.factories.people import PASSWORD, PersonFactory, UserFactory
from tests.factories.team import TrainingFactory
from tests.leadership.conftest import build_world
from tests.leadership.test_home import give_work

pytestmark = pytest.mark.django_db(transaction=True)


def _grace_seats_a_class(n=15):
    from initiatives.services import team

    grace = UserFactory(username="grace", roles=["leader"])
    PersonFactory(user=grace, name="Grace Hopper")
    training = TrainingFactory(capacity=None, title="Prompting for analysts")
    for person in PersonFactory.create_batch(n):
        team.attendance_create(by=grace, data={"training": training, "person": person, "status": "registered"})


def _check_home(page, role):
    page.goto("/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Assigned to me"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Policies I still have to acknowledge"))).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / f"home-{role}.png"), full_page=True)
    assert _axe(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate(SETTLED_OVERFLOW) == 0, f"the {role}'s home scrolls sideways at 390 px"
    page.screenshot(path=str(ARTIFACTS / f"home-{role}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_home_of_a_contributor_and_of_an_executive(browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    users = {role: make_persona(role) for role in ("contributor", "executive")}
    build_world(1)
    for user in users.values():
        give_work(user.person)
    _grace_seats_a_class()
    for role in users:
        # bypass_csp: axe is injected as a script of the page, as the accessibility crawl does.
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(30_000)  # a shared machine under load; no time is asserted
        page = context.new_page()
        errors = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        try:
            sign_in(page, f"{role}-user", PASSWORD)
            _check_home(page, role)
            if role == "executive":
                line = page.get_by_test_id("activity-line").filter(has_text="Grace Hopper").first
                expect(line).to_contain_text("created 15 training attendance records")
                expect(page.get_by_role("heading", name="Initiatives by stage and health")).to_be_visible()
            else:
                expect(page.get_by_role("heading", name="Initiatives by stage and health")).to_have_count(0)
            # "See all" opens the list it counts.
            see_all = page.get_by_test_id("see-all-risks")
            see_all.click()
            page.wait_for_url("**/governance/risks/?*owner=*")
            expect(page.get_by_text("1 result")).to_be_visible()
            assert errors == []
        finally:
            context.close()
