"""While the database is down, views answer 503 with Retry-After (JSON for the API, a plain page
otherwise), and the next request after it comes back is served again.

The failures are real: a gunicorn process whose database URL names a port where nothing listens,
and a PostgreSQL backend terminated the way a restart terminates it.
"""

import socket
import subprocess
import time

import httpx
import pytest
from django.db import connection, connections
from django.test import RequestFactory

from tests.conftest import api_client, page_client
from tests.production.processes import free_port, production_env, start_gunicorn
from vpportal.core.outage import RETRY_AFTER_SECONDS, DatabaseOutageMiddleware


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    """gunicorn with the production settings and a PostgreSQL URL on a port nobody listens on."""
    dead_port = free_port()  # bound and released: connections to it are refused
    env = production_env(
        tmp_path_factory.mktemp("outage"),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead_port}/vpportal_outage",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        # No page is rendered (the 503 page is a plain string), so no collectstatic is needed.
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        # The MFA middleware looks a signed-in user up before any view: an outage raised there.
        MFA_REQUIRED_ROLES="executive",
    )
    server, port = start_gunicorn(env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        # Ready once it listens (requests then wait for the worker); /health/ would log its failure.
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield client
    finally:
        client.close()
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    # Django logs an outage met before the view (handler500 path) as "Service Unavailable" with its
    # traceback; nothing may be logged as a 500.
    assert "Internal Server Error" not in output, output


def test_api_answers_503_json_with_retry_after_while_the_database_is_unreachable(server_without_database):
    response = server_without_database.get("/api/v1/initiatives/", headers={"Authorization": "Token " + "a" * 64})

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "database is unavailable" in response.json()["detail"]


def test_page_answers_a_plain_503_page_while_the_database_is_unreachable(server_without_database):
    # A session cookie makes the page look its user up in the database.
    response = server_without_database.get("/", headers={"Cookie": "sessionid=" + "x" * 32})

    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "VP Portal is unavailable for a moment" in response.text
    assert "Server Error" not in response.text


def test_an_outage_met_by_a_middleware_before_the_view_also_answers_503(server_without_database):
    # With MFA_REQUIRED_ROLES set, MFARequiredMiddleware reads the session's user before any view.
    response = server_without_database.get("/initiatives/", headers={"Cookie": "sessionid=" + "y" * 32})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "VP Portal is unavailable for a moment" in response.text


def test_other_exceptions_are_left_to_django():
    middleware = DatabaseOutageMiddleware(lambda request: None)

    assert middleware.process_exception(RequestFactory().get("/api/v1/initiatives/"), ValueError("a bug")) is None


def test_the_500_handler_answers_503_only_for_a_database_outage():
    from django.db import OperationalError

    from vpportal.core.outage import server_error

    request = RequestFactory().get("/initiatives/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        assert server_error(request).status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


def terminate_backend_of(conn):
    """End `conn`'s server process from another session, as a PostgreSQL restart does."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    admin = connections.create_connection("default")
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits until it has ended
            assert cursor.fetchone()[0] is True
    finally:
        admin.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")
@pytest.mark.django_db(transaction=True)  # the connection is dropped, so no test transaction around it
@pytest.mark.parametrize(
    ("path", "make_client", "content_type"),
    [("/api/v1/initiatives/", api_client, "application/json"), ("/", page_client, "text/html; charset=utf-8")],
)
def test_a_terminated_connection_answers_503_once_then_the_next_request_reconnects(
    executive, path, make_client, content_type
):
    client = make_client(executive)
    # A page request meets the outage in a middleware (the time zone reads the session) before any
    # view: Django's 500 handler answers it (outage.server_error), and the test client would re-raise.
    client.raise_request_exception = False
    assert client.get(path).status_code == 200

    terminate_backend_of(connection)
    during = client.get(path)
    after = client.get(path)

    assert during.status_code == 503
    assert during["Content-Type"] == content_type
    assert during["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert after.status_code == 200
