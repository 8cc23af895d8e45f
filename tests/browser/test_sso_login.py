"""The SSO sign-in in a real browser: the portal's login page, the identity provider's own form
(the npm oidc-provider, tests/sso/provider.mjs), back to the portal signed in with the mapped roles
(sign-out and failures: tests/sso)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.sso.conftest import configure_portal, idp  # noqa: F401 - the certified provider (tests/sso)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sso(settings, idp, live_server):  # noqa: F811
    """The live server's portal registered at the provider (its callback is on the live port)."""
    return configure_portal(settings, idp, portal_origin=live_server.url)


def test_a_leader_signs_in_through_the_company_identity_provider(page, sso):  # noqa: F811
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada Lovelace", groups=["ai-leads"])
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    page.wait_for_url(f"{sso.issuer}/authorize**")
    page.get_by_label("IdP username").fill("ada")
    page.get_by_label("IdP password").fill("idp-pass")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("Successfully signed in as ada")).to_be_visible()
    user = get_user_model().objects.get(email="ada@example.com")
    assert set(user.groups.values_list("name", flat=True)) == {"leader"}
    assert page.console_errors == []
