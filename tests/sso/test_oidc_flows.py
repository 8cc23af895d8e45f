"""What an enterprise expects of SSO, against the certified provider: PKCE, who gets a login
(OIDC_AUTO_CREATE, email_verified), RP-initiated logout, and OIDC_ONLY with its break-glass
superuser."""

import logging
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories.people import PersonFactory, UserFactory
from tests.sso.conftest import forms_of, idp_sign_in, new_browser, sso_sign_in, start_sign_in
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


def test_the_code_flow_sends_a_pkce_challenge_the_provider_requires(sso):
    query = parse_qs(urlparse(start_sign_in(Client(), sso)).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "groups"}


def test_without_auto_create_an_unknown_user_is_refused_with_a_clear_page(sso, settings, caplog):
    settings.OIDC_AUTO_CREATE = False
    caplog.set_level(logging.WARNING, logger="vpportal.sso")
    sso.add_user("newcomer", "idp-pass", email="newcomer@example.com", name="New Comer", groups=["ai-leads"])
    client = Client()
    response = sso_sign_in(client, sso, "newcomer", "idp-pass")
    body = response.content.decode()
    assert response.status_code == 403 and 'data-sso-problem="unknown_user"' in body
    assert "Ask an administrator to add you" in body
    assert not User.objects.filter(email="newcomer@example.com").exists()
    assert not Person.objects.filter(email="newcomer@example.com").exists()
    assert "_auth_user_id" not in client.session
    assert any("unknown_user" in r.getMessage() and "newcomer@example.com" in r.getMessage() for r in caplog.records)


def test_without_auto_create_a_login_an_administrator_created_still_signs_in(sso, settings):
    settings.OIDC_AUTO_CREATE = False
    local = UserFactory(username="grace", email="grace@example.com")
    sso.add_user("grace", "idp-pass", email="grace@example.com", name="Grace", groups=["grc"])
    client = Client()
    assert sso_sign_in(client, sso, "grace", "idp-pass").status_code == 302
    assert client.session["_auth_user_id"] == str(local.pk)
    assert {g.name for g in local.groups.all()} == {"governance"}


def test_an_unverified_email_never_connects_to_an_existing_login(sso, caplog):
    caplog.set_level(logging.WARNING, logger="vpportal.sso")
    local = UserFactory(username="katherine", email="katherine@example.com", roles=["auditor"])
    local.set_password(PASSWORD)
    local.save()
    sso.add_user(
        "impostor",
        "idp-pass",
        email="katherine@example.com",
        name="Not Katherine",
        groups=["ai-vp"],
        email_verified=False,
    )
    client = Client()
    response = sso_sign_in(client, sso, "impostor", "idp-pass")
    body = response.content.decode()
    assert response.status_code == 403 and 'data-sso-problem="email_not_verified"' in body
    assert not local.socialaccount_set.exists()
    local.refresh_from_db()
    assert local.check_password(PASSWORD)  # allauth would wipe it when connecting an unverified address
    assert {g.name for g in local.groups.all()} == {"auditor"}  # no executive role from the impostor's groups
    assert User.objects.filter(email__iexact="katherine@example.com").count() == 1
    assert "_auth_user_id" not in client.session
    assert any("email_not_verified" in r.getMessage() for r in caplog.records)


def test_an_unverified_email_creates_the_login_but_never_links_an_existing_person(sso):
    person = PersonFactory(name="Dorothy Vaughan", email="dorothy@example.com")
    sso.add_user("dv", "idp-pass", email="dorothy@example.com", name="D.", groups=["ml-team"], email_verified=False)
    assert sso_sign_in(Client(), sso, "dv", "idp-pass").status_code == 302
    person.refresh_from_db()
    assert person.user is None
    user = User.objects.get(socialaccount__uid="sub-dv")
    assert {g.name for g in user.groups.all()} == {"contributor"}
    assert not Person.objects.filter(user=user).exists()


def test_a_verified_email_links_the_existing_person(sso):
    person = PersonFactory(name="Dorothy Vaughan", email="dorothy@example.com")
    sso.add_user("dv", "idp-pass", email="dorothy@example.com", name="D.", groups=["ml-team"], email_verified=True)
    sso_sign_in(Client(), sso, "dv", "idp-pass")
    person.refresh_from_db()
    assert person.user == User.objects.get(socialaccount__uid="sub-dv")


def test_sign_out_also_ends_the_session_at_the_provider(sso):
    sso.add_user("joan", "idp-pass", email="joan@example.com", name="Joan Clarke", groups=["ml-team"])
    client, browser = Client(), new_browser()
    sso_sign_in(client, sso, "joan", "idp-pass", browser=browser)
    # While the provider's session lasts, signing in again goes straight back without its form.
    _, back = idp_sign_in(browser, sso, start_sign_in(Client(), sso), None, None)
    assert back and "code=" in back

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(sso.issuer + "/logout?")
    query = parse_qs(urlparse(end_session).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["client_id"] == ["vp-portal"] and query["id_token_hint"][0].count(".") == 2
    assert client.get(reverse("home")).status_code == 302  # the portal session ended at once

    confirm = browser.get(end_session)  # the provider asks its user to confirm
    assert confirm.status_code == 200 and "Yes, sign me out" in confirm.text
    (form,) = forms_of(confirm.text)
    done = browser.post(
        urljoin(confirm.url, form["action"]), data={**form["fields"], "logout": "yes"}, allow_redirects=False
    )
    assert done.is_redirect and done.headers["location"].startswith("http://testserver/accounts/login/")
    again = browser.get(start_sign_in(Client(), sso))
    assert again.status_code == 200 and "IdP username" in again.text  # its form again: session ended


def test_sign_out_works_when_the_provider_is_down(sso):
    sso.add_user("joan", "idp-pass", email="joan@example.com", name="Joan Clarke", groups=["ml-team"])
    client = Client()
    sso_sign_in(client, sso, "joan", "idp-pass")
    sso.go_down()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert client.get(reverse("home")).status_code == 302


def test_password_users_sign_out_locally(sso, leader):
    client = Client()
    client.force_login(leader)
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("account_login")
    assert sso.requests == []  # the provider is not even asked


# --- OIDC_ONLY and the break-glass superuser ------------------------------------------------------


@pytest.fixture
def break_glass(sso, settings):
    settings.OIDC_ONLY = True
    settings.OIDC_BREAK_GLASS_USERNAME = "breakglass"
    user = UserFactory(username="breakglass", email="", is_superuser=True, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def password_sign_in(username, query=""):
    client = Client()
    response = client.post(reverse("account_login") + query, {"login": username, "password": PASSWORD})
    return client, response


def test_oidc_only_lets_the_break_glass_superuser_sign_in_with_a_password(break_glass):
    client, response = password_sign_in("breakglass", "?break_glass=1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(break_glass.pk)


def test_oidc_only_shows_the_password_form_only_at_the_break_glass_address(break_glass):
    plain = Client().get(reverse("account_login")).content.decode()
    assert 'name="password"' not in plain and "Sign in with Acme SSO" in plain
    hidden = Client().get(reverse("account_login") + "?break_glass=1").content.decode()
    assert 'name="password"' in hidden and 'action="/accounts/login/?break_glass=1"' in hidden


def test_oidc_only_refuses_passwords_of_everyone_else_superusers_included(break_glass, leader):
    other_admin = UserFactory(username="admin2", is_superuser=True, is_staff=True)
    other_admin.set_password(PASSWORD)
    other_admin.save()
    for user in (leader, other_admin):
        user.set_password(PASSWORD)
        user.save()
        client, response = password_sign_in(user.username, "?break_glass=1")
        assert response.status_code == 200 and "password sign-in is turned off" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_the_break_glass_name_is_refused_once_the_account_is_no_superuser(break_glass):
    break_glass.is_superuser = False
    break_glass.save()
    client, response = password_sign_in("breakglass", "?break_glass=1")
    assert response.status_code == 200 and "password sign-in is turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session
