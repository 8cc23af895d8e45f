"""The certified identity provider (tests/sso/provider.py), and the portal configured to trust it
as settings.py would from the OIDC_* environment variables."""

import copy
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse

from tests.sso.provider import CertifiedProvider, ProviderNotInstalled
from vpportal.permissions import ROLES
from vpportal.sso import issuer_origin, openid_connect_providers, role_map_from

CLIENT_ID = "vp-portal"
CLIENT_SECRET = "test-client-secret-0123456789"
ROLE_MAP = "ai-vp=executive,ai-leads=leader,grc=governance,ml-team=contributor,audit=auditor"
SCOPES = ["openid", "profile", "email", "groups"]


@pytest.fixture(scope="session")
def idp():
    """The provider process, started once per session (per xdist worker) and stopped at its end."""
    provider = CertifiedProvider()
    try:
        provider.start()
    except ProviderNotInstalled as error:
        pytest.fail(str(error))
    yield provider
    provider.stop()


def configure_portal(settings, idp, *, portal_origin, client_secret=CLIENT_SECRET, issuer=None):
    """Point the portal at the provider (or at `issuer`), and register the portal there."""
    idp.reset(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, portal_origin=portal_origin)
    issuer = issuer or idp.issuer
    providers = openid_connect_providers(
        issuer=issuer, client_id=CLIENT_ID, secret=client_secret, provider_id="sso", name="Acme SSO", scopes=SCOPES
    )
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.OIDC_ISSUER = issuer
    settings.OIDC_ROLE_MAP = role_map_from(ROLE_MAP, ROLES)
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_AUTO_CREATE = True
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"] = [*csp["DIRECTIVES"]["form-action"], issuer_origin(issuer)]
    settings.CONTENT_SECURITY_POLICY = csp
    return idp


@pytest.fixture
def sso(settings, idp):
    """The portal (the test client's http://testserver) trusting the provider, which is reset."""
    return configure_portal(settings, idp, portal_origin="http://testserver")


def sso_login_path(provider_id="sso"):
    return reverse("openid_connect_login", kwargs={"provider_id": provider_id})


class _Forms(HTMLParser):
    """The forms of an IdP page: action and fields (hidden inputs and the submit button's value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"id": attrs.get("id"), "action": attrs.get("action"), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def new_browser() -> requests.Session:
    browser = requests.Session()
    browser.trust_env = False
    return browser


def follow_at_idp(browser, response, portal_origin="http://testserver"):
    """Follow the IdP's redirects like a browser until it answers a page or sends us to the portal."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["location"])
        if location.startswith(portal_origin):
            return response, location
        response = browser.get(location, allow_redirects=False)
    return response, None


def idp_sign_in(browser, idp, authorize_url, username, password, *, cancel=False):
    """At the IdP: its sign-in form, filled and sent (or cancelled). Returns (last IdP response,
    the portal URL it redirected to or None)."""
    page, back = follow_at_idp(browser, browser.get(authorize_url, allow_redirects=False))
    if back:  # the IdP already had a session: straight back to the portal
        return page, back
    assert page.status_code == 200 and "IdP username" in page.text, page.text[:500]
    login_action, abort_action = (form["action"] for form in forms_of(page.text))
    if cancel:
        answer = browser.post(urljoin(page.url, abort_action), allow_redirects=False)
    else:
        answer = browser.post(
            urljoin(page.url, login_action), data={"username": username, "password": password}, allow_redirects=False
        )
    return follow_at_idp(browser, answer)


def start_sign_in(client: Client, idp, *, next_url=None) -> str:
    """The portal's SSO button: returns the IdP authorize URL it redirects to."""
    start = client.post(sso_login_path(), {"next": next_url} if next_url else {})
    assert start.status_code == 302, start.content[:500]
    authorize_url = start["Location"]
    assert authorize_url.startswith(idp.issuer + "/authorize"), authorize_url
    return authorize_url


def sso_sign_in(client: Client, idp, username, password, *, next_url=None, browser=None, cancel=False):
    """The browser's part of the code flow: start at the portal, sign in at the IdP's own form,
    come back to the portal's callback. Returns the portal's final response (after the callback),
    or the IdP's page when it did not send the browser back (wrong password)."""
    authorize_url = start_sign_in(client, idp, next_url=next_url)
    answer, back = idp_sign_in(browser or new_browser(), idp, authorize_url, username, password, cancel=cancel)
    if back is None:
        return answer
    callback = urlparse(back)
    return client.get(f"{callback.path}?{callback.query}")
