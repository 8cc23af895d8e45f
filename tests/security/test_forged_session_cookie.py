"""A forged `sessionid` cookie (a NUL byte, other characters no key has, a huge value) counts as no
session: the page asks for a sign-in, the API answers 401, never a 500 (PostgreSQL refuses a NUL
in a query), and no query looks such a key up."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

FORGED = ["abcdefgh\x00ijklmnop", "ABCDEFGH-not-a-key", "k" * 10_000, "0123456789abcdef0123456789abcdef'--"]


@pytest.mark.parametrize("value", FORGED, ids=["nul", "other-characters", "huge", "quote"])
@pytest.mark.parametrize(("path", "expected"), [("/", 302), ("/api/v1/initiatives/", 401)])
def test_a_forged_session_cookie_is_no_session(value, path, expected):
    with CaptureQueriesContext(connection) as queries:
        response = Client(raise_request_exception=False).get(path, HTTP_COOKIE=f"sessionid={value}")
    assert response.status_code == expected
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_real_session_key_is_still_read(executive):
    client = Client()
    client.force_login(executive)
    assert client.get("/").status_code == 200
