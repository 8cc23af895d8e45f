"""API tokens (issue 15.8) and the API docs: every token expires (API_TOKEN_DEFAULT_DAYS, at most 365 days), a token
mints tokens only when created with that right, what it mints dies with it, and withdrawing a
user's access (deactivation, a new password, a role removed) revokes their tokens."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import api_client, page_client
from tests.factories.people import PASSWORD
from vpportal.people.tokens import prune_expired

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/tokens/"


def token_client(key):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create(client, **body):
    return client.post(URL, body, format="json")


def session(user):
    """The signed-in browser (session auth): it may always manage its own tokens."""
    client = api_client()
    client.force_authenticate(user=user)
    return client


def expires_in_days(token_key) -> float:
    token = AuthToken.objects.get(token_key=token_key)
    return (token.expiry - timezone.now()) / timedelta(days=1)


def test_a_token_created_without_expiry_expires_after_the_default(leader, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    response = create(session(leader))
    assert response.status_code == 201 and response.json()["expiry"] is not None
    assert 29.9 < expires_in_days(response.json()["token_key"]) <= 30


def test_the_page_creates_tokens_with_the_default_expiry_too(leader):
    page_client(leader).post(reverse("token_list"), {"expiry_days": ""})
    assert not AuthToken.objects.filter(user=leader, expiry__isnull=True).exists()
    assert AuthToken.objects.filter(user=leader).count() == 1


@pytest.mark.parametrize("days", [366, 10_000])
def test_more_than_a_year_is_refused_with_400(leader, days):
    response = create(session(leader), expiry_days=days)
    assert response.status_code == 400 and "expiry_days" in response.json()
    year = create(session(leader), expiry_days=365)
    assert year.status_code == 201 and 364.9 < expires_in_days(year.json()["token_key"]) <= 365


def test_a_token_without_the_right_cannot_create_or_revoke_tokens(leader):
    caller = api_client(leader)  # a token created the ordinary way
    response = create(caller)
    assert response.status_code == 403
    other = AuthToken.objects.create(user=leader)[0]
    assert caller.delete(f"{URL}{other.token_key}/").status_code == 403
    assert AuthToken.objects.filter(pk=other.pk).exists()


def test_a_token_with_the_right_mints_tokens_that_die_with_it(leader):
    browser = session(leader)
    parent = create(browser, can_create_tokens=True, expiry_days=10)
    assert parent.status_code == 201 and parent.json()["can_create_tokens"] is True
    minting = token_client(parent.json()["token"])
    child = create(minting, expiry_days=300)
    assert child.status_code == 201 and child.json()["can_create_tokens"] is False
    assert expires_in_days(child.json()["token_key"]) <= 10  # never outlives its parent
    grandchild_parent = create(minting, can_create_tokens=True)
    grandchild = create(token_client(grandchild_parent.json()["token"]))
    assert grandchild.status_code == 201

    assert browser.delete(f"{URL}{parent.json()['token_key']}/").status_code == 204
    keys = [r.json()["token_key"] for r in (parent, child, grandchild_parent, grandchild)]
    assert not AuthToken.objects.filter(token_key__in=keys).exists()
    assert token_client(child.json()["token"]).get("/api/v1/people/").status_code == 401


def _tokens_of(user):
    AuthToken.objects.create(user=user)
    AuthToken.objects.create(user=user)
    return AuthToken.objects.filter(user=user)


def test_deactivating_a_user_revokes_their_tokens(leader):
    tokens = _tokens_of(leader)
    leader.first_name = "Grace"
    leader.save()
    leader.groups.add(Group.objects.get(name="auditor"))
    assert tokens.count() == 2  # other changes keep them
    leader.is_active = False
    leader.save()
    assert not tokens.exists()


def test_a_new_password_revokes_the_tokens(leader):
    tokens = _tokens_of(leader)
    client = Client()
    client.post(reverse("account_login"), {"login": leader.username, "password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "An0ther-long-passphrase", "password2": "An0ther-long-passphrase"},
    )
    assert response.status_code == 302
    assert not tokens.exists()


def test_removing_a_role_revokes_the_tokens_either_way_round(leader, contributor):
    tokens = _tokens_of(leader)
    leader.groups.remove(Group.objects.get(name="leader"))
    assert not tokens.exists()
    tokens = _tokens_of(contributor)
    Group.objects.get(name="contributor").user_set.remove(contributor)
    assert not tokens.exists()


def test_an_expired_token_is_refused_and_deleted_and_the_schedule_prunes_the_others(leader, django_assert_num_queries):
    live_token, live = AuthToken.objects.create(user=leader, expiry=timedelta(days=1))
    old_token, old = AuthToken.objects.create(user=leader, expiry=timedelta(days=1))
    other, _ = AuthToken.objects.create(user=leader, expiry=timedelta(days=1))
    AuthToken.objects.filter(pk__in=[old_token.pk, other.pk]).update(expiry=timezone.now() - timedelta(seconds=1))
    # The token with its user, then the list: the user's other tokens are not read to authenticate.
    with django_assert_num_queries(2):
        assert token_client(live).get("/api/v1/auth/tokens/").status_code == 200
    assert token_client(old).get("/api/v1/auth/tokens/").status_code == 401
    assert not AuthToken.objects.filter(pk=old_token.pk).exists()
    assert prune_expired() == 1  # the other expired token; the live one stays
    assert list(AuthToken.objects.filter(user=leader)) == [live_token]
    assert prune_expired() == 0


# --- the API schema and docs ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_the_schema_and_docs_need_a_sign_in_unless_made_public(path, auditor, settings):
    settings.API_DOCS_PUBLIC = False
    assert api_client().get(path).status_code == 401
    assert api_client(auditor).get(path).status_code == 200
    signed_in = Client()
    signed_in.force_login(auditor)
    assert signed_in.get(path).status_code == 200
    settings.API_DOCS_PUBLIC = True
    assert api_client().get(path).status_code == 200
