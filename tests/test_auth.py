"""Sign-in through the real login page, lockout, password reset, and API tokens."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from tests.conftest import api_client, page_client
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_username_lands_on_home(leader):
    client = Client()
    response = client.post(reverse("account_login"), {"login": leader.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_repeated_failed_logins_lock_the_account_out(leader, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account_login"), {"login": leader.username, "password": "wrong"})
    locked = client.post(reverse("account_login"), {"login": leader.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(leader):
    response = Client().post(reverse("account_reset_password"), {"email": leader.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and leader.email in mail.outbox[0].to


def test_logout_ends_the_session(leader):
    client = page_client(leader)
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


def test_tokens_are_created_listed_and_revoked_by_their_owner_only(leader, contributor):
    client = api_client()
    client.force_authenticate(user=leader)  # a session: a plain token may not create tokens (issue 15.8)
    created = client.post("/api/v1/auth/tokens/", {"expiry_days": 30}, format="json")
    assert created.status_code == 201
    key = created.json()["token"]
    assert not AuthToken.objects.filter(digest__contains=key).exists()  # stored hashed
    fresh = api_client()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert fresh.get("/api/v1/people/").status_code == 200
    token_key = created.json()["token_key"]
    assert token_key in [t["token_key"] for t in client.get("/api/v1/auth/tokens/").json()]
    assert api_client(contributor).delete(f"/api/v1/auth/tokens/{token_key}/").status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{token_key}/").status_code == 204
    assert fresh.get("/api/v1/people/").status_code == 401


def test_token_expiry_is_validated(leader):
    response = api_client(leader).post("/api/v1/auth/tokens/", {"expiry_days": 0}, format="json")
    assert response.status_code == 400 and "expiry_days" in response.json()


def test_token_page_creates_shows_once_and_revokes(leader):
    client = page_client(leader)
    response = client.post(reverse("token_list"), {"expiry_days": 7})
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = AuthToken.objects.get(user=leader)
    assert key not in client.get(reverse("token_list")).content.decode()
    client.post(reverse("token_revoke", args=[token.token_key]))
    assert not AuthToken.objects.filter(user=leader).exists()


def test_health_endpoint_checks_the_database():
    response = Client().get("/health/?format=json")
    assert response.status_code == 200
    assert "Database" in response.content.decode()


def test_pages_send_a_strict_content_security_policy(leader):
    csp = page_client(leader).get(reverse("home"))["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
