"""What goes wrong with a company identity provider in production, against the certified provider:
each failure answers a clear page and one log line on `vpportal.sso`, never a 500, and nobody is
signed in. Key rotation and a 2-minute clock skew are not failures: sign-in keeps working."""

import logging
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.sso.conftest import configure_portal, idp_sign_in, new_browser, sso_sign_in, start_sign_in

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def sso_log(caplog):
    caplog.set_level(logging.WARNING, logger="vpportal.sso")
    return caplog


def logged(caplog, code: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "vpportal.sso" and f"failed: {code}" in r.getMessage()]


def assert_problem_page(response, *, status, code, text):
    body = response.content.decode()
    assert response.status_code == status, body[:800]
    assert f'data-sso-problem="{code}"' in body and text in body
    assert reverse("account_login") in body  # the way back


def assert_signed_out(client):
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def callback_path(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


def test_provider_down_at_discovery_answers_a_clear_page(sso, sso_log):
    sso.go_down()
    client = Client()
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "sso"}))
    assert_problem_page(response, status=503, code="provider_unreachable", text="cannot be reached")
    (line,) = logged(sso_log, "provider_unreachable")
    assert "discovery" in line and "ConnectionError" in line
    assert_signed_out(client)


def test_provider_down_when_the_browser_comes_back_answers_a_clear_page(sso, sso_log):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    client = Client()
    _, back = idp_sign_in(new_browser(), sso, start_sign_in(client, sso), "ada", "idp-pass")
    sso.go_down()  # the whole provider, discovery included, between the IdP's form and our callback
    response = client.get(callback_path(back))
    assert_problem_page(response, status=503, code="provider_unreachable", text="cannot be reached")
    assert logged(sso_log, "provider_unreachable")
    assert not User.objects.filter(email="ada@example.com").exists()


def test_token_endpoint_down_at_the_code_exchange_answers_a_clear_page(sso, sso_log):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    client = Client()
    _, back = idp_sign_in(new_browser(), sso, start_sign_in(client, sso), "ada", "idp-pass")
    sso.break_endpoint("/token")  # discovery still answers: the exchange itself fails
    response = client.get(callback_path(back))
    assert_problem_page(response, status=503, code="provider_unreachable", text="cannot be reached")
    (line,) = logged(sso_log, "provider_unreachable")
    assert "discovery" not in line
    assert ("GET", "/.well-known/openid-configuration") in sso.requests
    assert not User.objects.filter(email="ada@example.com").exists()
    assert_signed_out(client)


def test_a_wrong_client_secret_answers_a_clear_page_for_the_administrator(settings, idp, sso_log):
    sso = configure_portal(settings, idp, portal_origin="http://testserver", client_secret="not-the-secret")
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert_problem_page(response, status=502, code="client_refused", text="client id or secret")
    (line,) = logged(sso_log, "client_refused")
    assert "invalid_client" in line and "not-the-secret" not in line
    assert_signed_out(client)


@pytest.mark.parametrize("same_kid", [False, True], ids=["unknown-kid", "same-kid-other-key"])
def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(sso, sso_log, same_kid):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    sso.publish_decoy_jwks(same_kid=same_kid)
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert_problem_page(response, status=401, code="token_rejected", text="could not be verified")
    (line,) = logged(sso_log, "token_rejected")
    assert ("InvalidSignatureError" in line) if same_kid else ("does not publish" in line)
    assert not User.objects.filter(email="ada@example.com").exists()
    assert_signed_out(client)


def test_a_key_rotation_is_picked_up_from_the_jwks_and_sign_in_keeps_working(sso, sso_log):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    assert sso_sign_in(Client(), sso, "ada", "idp-pass").status_code == 302
    sso_sign_in(Client(), sso, "ada", "idp-pass")  # the cached JWKS serves the second sign-in
    assert sso.requests.count(("GET", "/jwks")) == 1
    new_kid = sso.rotate_key()  # the old key is withdrawn, the new one signs
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(User.objects.get(email="ada@example.com").pk)
    assert sso.requests.count(("GET", "/jwks")) == 2  # fetched again for the unknown key id
    assert new_kid and not sso_log.records


@pytest.mark.parametrize("skew", [120, -120], ids=["provider-2-min-ahead", "provider-2-min-behind"])
def test_a_clock_skew_of_two_minutes_is_tolerated(sso, sso_log, skew):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    sso.skew_clock(skew)
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "_auth_user_id" in client.session and not sso_log.records


def test_a_clock_skew_beyond_the_tolerance_answers_a_clear_page(sso, sso_log, settings):
    settings.OIDC_CLOCK_SKEW_SECONDS = 60
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    sso.skew_clock(120)
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert_problem_page(response, status=401, code="token_rejected", text="dates")
    (line,) = logged(sso_log, "token_rejected")
    assert "clock is ahead" in line
    assert_signed_out(client)


def test_a_forged_state_answers_a_clear_page(sso, sso_log):
    client = Client()
    start_sign_in(client, sso)
    response = client.get(reverse("openid_connect_callback", kwargs={"provider_id": "sso"}) + "?code=x&state=forged")
    assert_problem_page(response, status=400, code="state_mismatch", text="Start again")
    (line,) = logged(sso_log, "state_mismatch")
    assert "'forged'" in line
    assert ("POST", "/token") not in sso.requests  # a forged state never reaches the code exchange
    assert_signed_out(client)


def test_a_replayed_callback_answers_a_clear_page(sso, sso_log):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    client = Client()
    _, back = idp_sign_in(new_browser(), sso, start_sign_in(client, sso), "ada", "idp-pass")
    assert client.get(callback_path(back)).status_code == 302  # signed in
    client.post(reverse("account_logout"))
    replay = client.get(callback_path(back))  # the same browser, the used state
    assert_problem_page(replay, status=400, code="state_mismatch", text="already completed")
    elsewhere = Client().get(callback_path(back))  # someone else's browser with the stolen URL
    assert_problem_page(elsewhere, status=400, code="state_mismatch", text="already completed")
    assert len(logged(sso_log, "state_mismatch")) == 2
    assert sso.requests.count(("POST", "/token")) == 1
    assert_signed_out(client)


def test_a_user_who_cancels_at_the_provider_sees_a_clear_page(sso, sso_log):
    sso.add_user("ada", "idp-pass", email="ada@example.com", name="Ada", groups=["ai-leads"])
    client = Client()
    _, back = idp_sign_in(new_browser(), sso, start_sign_in(client, sso), "ada", None, cancel=True)
    assert "error=access_denied" in back
    response = client.get(callback_path(back))
    assert_problem_page(response, status=200, code="cancelled", text="You cancelled")
    (line,) = logged(sso_log, "cancelled")
    assert "access_denied" in line
    assert not User.objects.filter(email="ada@example.com").exists()
    assert_signed_out(client)
