"""A forged session cookie is no session: never looked up (PostgreSQL refuses a NUL byte in a query
parameter, which was a 500 on every page and API call that reads the session)."""

import pytest
from django.test import Client

from tests.conftest import api_client
from vpportal.sessions import SessionStore

pytestmark = pytest.mark.django_db

FORGED = "sessionid=000\x00\x80\x80abcdefgh"


def test_only_keys_of_our_own_alphabet_are_session_keys():
    made = SessionStore()
    made.create()
    assert SessionStore(made.session_key).session_key == made.session_key  # Django's own keys pass
    for forged in ("000\x00\x80\x80abcdefgh", "abcdefgh;ijkl", "ábcdefghijkl"):
        assert SessionStore(forged).session_key is None


def test_a_forged_cookie_reaches_the_sign_in_page_and_the_api_answers(leader):
    page = Client().get("/dashboard/", HTTP_COOKIE=FORGED)
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    api = api_client(leader).get("/api/v1/vendors/", HTTP_COOKIE=FORGED)
    assert api.status_code == 200
