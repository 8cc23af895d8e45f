"""MFA enrolment for the roles that need it, re-authentication before sensitive actions, CSRF on
every form, no open redirect through `next`, hashed revocable tokens, and nothing private in error
pages or logs."""

import logging
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.app_settings import TOTP_PERIOD
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from governance.choices import RiskStatus
from tests.conftest import api_client
from tests.factories.people import PASSWORD, UserFactory
from tests.factories.risks import RiskFactory
from tests.security.routes import all_routes, decide
from tests.security.test_permission_matrix import Records, build_url

pytestmark = pytest.mark.django_db


def sign_in(user, password=PASSWORD) -> Client:
    """A real password sign-in through allauth (unlike force_login, it records how and when)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def age_sign_in(client, seconds=3600):
    """Pretend the session signed in `seconds` ago."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


# --- MFA enrolment ----------------------------------------------------------------------------------


def test_a_role_that_requires_mfa_is_sent_to_set_it_up_before_anything_else(executive, settings):
    settings.MFA_REQUIRED_ROLES = ["executive", "governance"]
    client = sign_in(executive)
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200  # a fresh sign-in needs no password again
    secret = client.session[SECRET_SESSION_KEY]
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=executive, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("people:person_list")).status_code == 200


def test_after_enrolment_signing_in_asks_for_the_code(executive, settings):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    client = sign_in(executive)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": executive.username, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert fresh.get(reverse("home")).status_code == 302  # not signed in until the code is given
    done = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302 and fresh.get(reverse("home")).status_code == 200


def test_roles_without_the_requirement_and_api_tokens_are_not_held_up(leader, executive, settings):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    assert sign_in(leader).get(reverse("home")).status_code == 200
    assert api_client(executive).get("/api/v1/people/").status_code == 200


def test_a_user_held_for_mfa_can_still_sign_out(executive, settings):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    client = sign_in(executive)
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- re-authentication before sensitive actions -----------------------------------------------------


@pytest.fixture
def reauth_on(settings):
    settings.REAUTH_SENSITIVE_ACTIONS = True


def test_accepting_a_risk_right_after_signing_in_needs_no_second_password(governance, reauth_on):
    risk = RiskFactory(likelihood=4, impact=4)
    client = sign_in(governance)
    response = client.post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "Within appetite."})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED


def test_accepting_a_risk_on_an_old_session_asks_for_the_password_then_completes(governance, reauth_on, settings):
    risk = RiskFactory(likelihood=4, impact=4)
    client = sign_in(governance)
    age_sign_in(client)
    url = reverse("governance:risk_accept", args=[risk.pk])
    response = client.post(url, {"justification": "Within appetite."})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    risk.refresh_from_db()
    assert risk.status != RiskStatus.ACCEPTED  # nothing happened yet
    # Re-authentication reads the user once per check (password, lockout) and allauth replays the
    # suspended POST inside the same request: repeated single-row reads by design, not an N+1.
    settings.ZEAL_ALLOWLIST = [*settings.ZEAL_ALLOWLIST, {"model": "auth.User"}]
    wrong = client.post(response["Location"], {"password": "wrong"})
    assert wrong.status_code == 200
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED and risk.accepted_by == governance  # the suspended POST ran


def test_a_role_that_may_not_accept_is_refused_without_a_password_prompt(leader, reauth_on):
    risk = RiskFactory()
    client = sign_in(leader)
    age_sign_in(client)
    response = client.post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "x"})
    assert response.status_code == 403


def test_an_sso_user_on_an_old_session_goes_back_through_the_identity_provider(settings, reauth_on):
    from vpportal.sso import openid_connect_providers

    settings.SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
        issuer="http://127.0.0.1:9", client_id="c", secret="s", provider_id="sso"
    )
    user = UserFactory(username="sso-gov", roles=["governance"])
    user.set_unusable_password()
    user.save()
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "socialaccount", "at": time.time() - 3600}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    risk = RiskFactory()
    response = client.post(
        reverse("governance:risk_accept", args=[risk.pk]),
        {"justification": "x"},
        HTTP_REFERER=f"http://testserver{reverse('governance:risk_detail', args=[risk.pk])}",
    )
    location = response["Location"]
    assert location.startswith(reverse("openid_connect_login", kwargs={"provider_id": "sso"}))
    assert "prompt%3Dlogin" in location and "process=login" in location


def test_sensitive_views_use_the_recent_auth_helper():
    from django.urls import resolve

    for name, args in (
        ("governance:risk_accept", [1]),
        ("governance:policyversion_approve", [1]),
        ("initiatives:initiative_transition", [1]),
    ):
        match = resolve(reverse(name, args=args))
        view = getattr(match.func, "view_class", match.func)
        assert getattr(view, "requires_recent_auth", False), name


# --- CSRF, redirects -------------------------------------------------------------------------------


def test_every_form_post_is_refused_without_a_csrf_token(personas):
    records = Records()
    executive = personas["executive"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(executive)
    checked = []
    for route in all_routes():
        decision = decide(route)
        if route.is_api or decision is None:
            continue  # the API: token calls need no CSRF token; session calls are tested below
        url, _ = build_url(route, decision, records)
        if url is None:
            continue
        response = client.post(url, {})
        assert response.status_code == 403, f"{route.id} accepted a POST without a CSRF token"
        checked.append(route.id)
    assert "account_login" in checked and "people:person_add" in checked
    assert Client(enforce_csrf_checks=True).post(reverse("account_login"), {}).status_code == 403


def test_the_session_api_needs_the_csrf_token_too(executive):
    client = Client(enforce_csrf_checks=True)
    client.force_login(executive)
    response = client.post("/api/v1/people/", {"name": "X", "email": "x@example.com"}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http:evil.example", "https:/evil.example"],
)
def test_the_login_next_never_leaves_the_site(leader, next_url):
    response = Client().post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": leader.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"] == reverse("home")


def test_the_login_next_keeps_a_local_page(leader):
    people = reverse("people:person_list")
    response = Client().post(reverse("account_login"), {"login": leader.username, "password": PASSWORD, "next": people})
    assert response["Location"] == people


# --- tokens, lockout, private data -------------------------------------------------------------------


def test_api_tokens_are_stored_hashed_and_stop_working_when_revoked(leader):
    session = api_client()
    session.force_authenticate(user=leader)  # a plain token may not create tokens (issue 15.8)
    created = session.post("/api/v1/auth/tokens/", {}, format="json").json()
    stored = AuthToken.objects.get(token_key=created["token_key"])
    assert created["token"] not in (stored.digest, stored.token_key) and len(stored.digest) == 128
    caller = api_client()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {created['token']}")
    assert caller.get("/api/v1/people/").status_code == 200
    assert session.delete(f"/api/v1/auth/tokens/{created['token_key']}/").status_code == 204
    assert caller.get("/api/v1/people/").status_code == 401


def test_the_admin_login_is_locked_out_like_the_pages(executive, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("account_login"), {"login": executive.username, "password": "wrong"})
    client = Client()
    response = client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": executive.username, "password": PASSWORD}
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_failed_sign_ins_do_not_log_the_username_or_password(leader, caplog):
    with caplog.at_level(logging.DEBUG):
        Client().post(reverse("account_login"), {"login": leader.username, "password": "Sup3r-secret-guess"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Sup3r-secret-guess" not in text
    assert leader.username not in text
    assert any("AXES" in record.getMessage() for record in caplog.records)  # the failure was logged, masked


def test_the_404_page_does_not_echo_the_request(executive, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(executive)
    response = client.get("/people/999999/?email=ceo-private@example.com")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ceo-private@example.com" not in body and "Traceback" not in body


@pytest.mark.urls("tests.security.error_urls")
def test_the_500_page_shows_nothing_of_the_error(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "ceo-private@example.com" not in body and "Traceback" not in body and "SECRET" not in body


def test_no_user_is_created_by_open_sign_up():
    response = Client().post(
        reverse("account_signup"),
        {"username": "mallory", "email": "m@example.com", "password1": "Xy7!long-pass", "password2": "Xy7!long-pass"},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="mallory").exists()
