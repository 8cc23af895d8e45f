"""Single sign-on end to end against a real OpenID Connect provider on 127.0.0.1: the portal
discovers it, exchanges the code over HTTP, checks the signed ID token and reads userinfo."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.conftest import page_client
from tests.factories.people import PersonFactory, UserFactory
from tests.sso.conftest import sso_sign_in
from vpportal.people.models import Person
from vpportal.permissions import role_names

pytestmark = pytest.mark.django_db

User = get_user_model()


def roles_of(user):
    user = User.objects.get(pk=user.pk)
    return set(role_names(user))


def test_first_sso_sign_in_creates_the_user_with_mapped_roles_and_a_person(sso):
    sso.add_user(
        "ada",
        "idp-pass",
        email="Ada.Lovelace@example.com",
        name="Ada Lovelace",
        groups=["ai-leads", "ml-team", "unrelated"],
    )
    client = Client()
    response = sso_sign_in(client, sso, "ada", "idp-pass")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(email__iexact="ada.lovelace@example.com")
    assert not user.has_usable_password()  # SSO users have no local password to steal or phish
    assert roles_of(user) == {"leader", "contributor"}  # the unmapped group is ignored
    person = Person.objects.get(user=user)
    assert (person.name, person.email) == ("Ada Lovelace", "ada.lovelace@example.com")
    assert person.history.first().history_user == user
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Ada Lovelace" in home.content.decode()
    assert ("POST", "/token") in sso.requests and ("GET", "/userinfo") in sso.requests


def test_first_sso_sign_in_links_the_existing_person_with_the_same_email(sso):
    person = PersonFactory(name="Grace Hopper", email="grace@example.com")
    sso.add_user("grace", "idp-pass", email="GRACE@example.com", name="Grace B. Hopper", groups=["grc"])
    sso_sign_in(Client(), sso, "grace", "idp-pass")
    person.refresh_from_db()
    assert person.user is not None and person.user.email.lower() == "grace@example.com"
    assert person.name == "Grace Hopper"  # the portal's record is kept, only linked
    assert Person.objects.filter(email__iexact="grace@example.com").count() == 1
    assert roles_of(person.user) == {"governance"}


def test_an_existing_local_login_with_the_same_email_is_connected_not_duplicated(sso):
    local = UserFactory(username="katherine", email="katherine@example.com", roles=["auditor"])
    sso.add_user("kj", "idp-pass", email="katherine@example.com", name="Katherine Johnson", groups=["audit"])
    response = sso_sign_in(Client(), sso, "kj", "idp-pass")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="katherine@example.com").count() == 1
    assert local.socialaccount_set.filter(provider="sso").exists()


def test_roles_follow_the_groups_claim_on_every_sign_in(sso):
    idp_user = sso.add_user("alan", "idp-pass", email="alan@example.com", name="Alan Turing", groups=["ai-vp"])
    sso_sign_in(Client(), sso, "alan", "idp-pass")
    user = User.objects.get(email="alan@example.com")
    assert roles_of(user) == {"executive"}
    # An administrator grants a role the IdP never manages: it survives the next sign-in.
    manual, _ = user.groups.model.objects.get_or_create(name="custom-local-group")
    user.groups.add(manual)
    idp_user.groups = ["ai-leads", "audit"]
    sso_sign_in(Client(), sso, "alan", "idp-pass")
    assert roles_of(user) == {"leader", "auditor", "custom-local-group"}
    idp_user.groups = []
    sso_sign_in(Client(), sso, "alan", "idp-pass")
    assert roles_of(user) == {"custom-local-group"}
    assert User.objects.filter(email="alan@example.com").count() == 1


def test_a_user_without_mapped_groups_signs_in_but_gets_no_role(sso, contributor):
    sso.add_user("visitor", "idp-pass", email="visitor@example.com", name="Visitor", groups=["marketing"])
    client = Client()
    sso_sign_in(client, sso, "visitor", "idp-pass")
    user = User.objects.get(email="visitor@example.com")
    assert roles_of(user) == set()
    assert client.get(reverse("people:person_list")).status_code == 403


def test_sso_sign_in_returns_to_the_page_asked_for_but_never_off_site(sso):
    sso.add_user("mary", "idp-pass", email="mary@example.com", name="Mary", groups=["ai-leads"])
    people = reverse("people:person_list")
    assert sso_sign_in(Client(), sso, "mary", "idp-pass", next_url=people)["Location"] == people
    evil = sso_sign_in(Client(), sso, "mary", "idp-pass", next_url="https://evil.example/steal")
    assert "evil.example" not in evil["Location"]


def test_wrong_idp_password_never_reaches_the_portal(sso):
    sso.add_user("eve", "right", email="eve@example.com", name="Eve", groups=["ai-vp"])
    client = Client()
    answer = sso_sign_in(client, sso, "eve", "wrong")
    assert answer.status_code == 200 and "Wrong username or password" in answer.text
    assert not User.objects.filter(email="eve@example.com").exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_forged_callback_is_refused(sso):
    client = Client()
    client.post(reverse("openid_connect_login", kwargs={"provider_id": "sso"}))
    response = client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": "sso"}) + "?code=made-up&state=made-up"
    )
    assert response.status_code in (400, 401)  # allauth's "authentication error" page
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_sso_session(sso):
    sso.add_user("joan", "idp-pass", email="joan@example.com", name="Joan Clarke", groups=["ml-team"])
    client = Client()
    sso_sign_in(client, sso, "joan", "idp-pass")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_login_page_offers_the_sso_button(sso):
    body = Client().get(reverse("account_login")).content.decode()
    assert "Sign in with Acme SSO" in body
    assert 'name="password"' in body  # password sign-in stays unless OIDC_ONLY


def test_the_admin_login_goes_through_the_same_sign_in(sso, executive):
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    login = Client().get(response["Location"])
    assert login.status_code == 302 and login["Location"].startswith(reverse("account_login"))
    assert page_client(executive).get("/admin/").status_code == 200


def test_oidc_only_hides_password_sign_in_and_refuses_passwords(sso, settings, leader):
    settings.OIDC_ONLY = True
    body = Client().get(reverse("account_login")).content.decode()
    assert "Sign in with Acme SSO" in body and 'name="password"' not in body
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": leader.username, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 200 and "password sign-in is turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session
