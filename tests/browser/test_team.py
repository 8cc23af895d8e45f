"""Team development in a real browser: a contributor registers for a training and logs a session
with their mentor; a leader sees that the session happened, never its private notes; for another
contributor the mentorship does not exist at all (PRODUCT.md, roles)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD, PersonFactory, UserFactory
from tests.factories.team import MentorshipFactory, TrainingFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = "Worried about the launch review; wants help with the storyline."


def test_a_contributor_registers_and_logs_a_session_that_others_cannot_read(page):
    contributor = make_persona("contributor")
    other = UserFactory(username="other-contributor", roles=["contributor"])
    PersonFactory(user=other, name="Other Contributor")
    make_persona("leader")
    mentorship = MentorshipFactory(
        mentor=PersonFactory(name="Grace Mentor"), mentee=contributor.person, focus_areas="Storytelling with data"
    )
    TrainingFactory(title="Generative AI fundamentals", held_on=date.today() + timedelta(days=10), capacity=12)

    sign_in(page, "contributor-user", PASSWORD)
    page.goto("/initiatives/trainings/")
    page.get_by_role("link", name="Generative AI fundamentals").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered for “Generative AI fundamentals”.")).to_be_visible()
    expect(page.get_by_role("cell", name="Contributor Persona")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "team-registered.png"), full_page=True)

    page.goto("/initiatives/mentorships/")
    page.get_by_role("link", name="Grace Mentor → Contributor Persona").click()
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Held on").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Topics").fill("Preparing the launch review")
    page.get_by_label("Action items").fill("Send the draft deck to Grace by Friday.")
    page.get_by_label("Private notes").fill(NOTES)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text(NOTES)).to_be_visible()
    assert page.console_errors == []
    page.screenshot(path=str(ARTIFACTS / "team-mentee-view.png"), full_page=True)

    page.context.clear_cookies()
    sign_in(page, "other-contributor", PASSWORD)
    page.goto(mentorship.get_absolute_url())
    expect(page.get_by_role("heading", name="does not exist")).to_be_visible()  # not theirs: it does not exist
    assert NOTES not in page.content() and "Preparing the launch review" not in page.content()
    expect(page.get_by_role("link", name="Log a session")).to_have_count(0)
    assert [e for e in page.console_errors if "404" not in e] == []  # only the expected 404 itself
    # The page's own 404 reaches the console a moment after the page: wait for it, then start clean.
    for _ in range(50):
        if any("404" in e for e in page.console_errors):
            break
        page.wait_for_timeout(100)
    page.console_errors.clear()

    page.context.clear_cookies()
    sign_in(page, "leader-user", PASSWORD)
    page.goto(mentorship.get_absolute_url())
    expect(page.get_by_text("Preparing the launch review")).to_be_visible()  # the session happened
    assert NOTES not in page.content()
    expect(page.get_by_text("Private notes are visible only to the mentor, the mentee and executives.")).to_be_visible()
    assert page.console_errors == []
