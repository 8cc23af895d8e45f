"""The test identity provider, and the portal configured to trust it (as settings.py would from the
OIDC_* environment variables)."""

import copy
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from tests.sso.idp import TestIdentityProvider
from vpportal.permissions import ROLES
from vpportal.sso import issuer_origin, openid_connect_providers, role_map_from

CLIENT_ID = "vp-portal"
CLIENT_SECRET = "test-client-secret-0123456789"
ROLE_MAP = "ai-vp=executive,ai-leads=leader,grc=governance,ml-team=contributor,audit=auditor"


@pytest.fixture(scope="session")
def idp():
    provider = TestIdentityProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET).start()
    yield provider
    provider.stop()


@pytest.fixture
def sso(settings, idp):
    """The portal trusting the test IdP; returns the IdP with its users reset."""
    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
        issuer=idp.issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET, provider_id="sso", name="Acme SSO"
    )
    settings.OIDC_ROLE_MAP = role_map_from(ROLE_MAP, ROLES)
    settings.OIDC_GROUPS_CLAIM = "groups"
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"] = [*csp["DIRECTIVES"]["form-action"], issuer_origin(idp.issuer)]
    settings.CONTENT_SECURITY_POLICY = csp
    idp.users.clear()
    return idp


def sso_login_path(provider_id="sso"):
    return reverse("openid_connect_login", kwargs={"provider_id": provider_id})


def sso_sign_in(client: Client, idp, username, password, *, next_url=None):
    """The browser's part of the code flow: start at the portal, sign in at the IdP's own form,
    come back to the portal's callback. Returns the portal's final response (after the callback)."""
    data = {"next": next_url} if next_url else {}
    start = client.post(sso_login_path(), data)
    assert start.status_code == 302, start.content[:500]
    authorize_url = start["Location"]
    assert authorize_url.startswith(idp.issuer + "/authorize"), authorize_url
    with httpx.Client(follow_redirects=False, trust_env=False) as browser:
        form_page = browser.get(authorize_url)
        assert form_page.status_code == 200 and "IdP username" in form_page.text
        fields = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        answer = browser.post(f"{idp.issuer}/authorize", data={**fields, "username": username, "password": password})
    if answer.status_code != 302:
        return answer  # the IdP refused (wrong password): the portal never sees a callback
    callback = urlparse(answer.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")
