"""The production profile over real HTTP: hashed static files, `check --deploy`, gunicorn serving
/health/, a sign-in through the login page and an API call with a token.

Runs against its own SQLite file (the server is another process and cannot see the test database).
"""

import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.production.processes import collected_static, manage, migrated_database, production_env, start_gunicorn

PASSWORD = "smoke-test-password-42"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The production profile with the run's collected static files (hashed and compressed, as
    deployed: the slow step, done once per run) and a migrated database of its own."""
    tmp = tmp_path_factory.mktemp("prod")
    env = production_env(
        tmp,
        DATABASE_URL=migrated_database(tmp_path_factory, tmp),
        STATIC_ROOT=collected_static(tmp_path_factory),
        SECRET_KEY="smoke-" + "k" * 60,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="3600",
    )

    def run(*args):
        return manage(env, *args)

    return env, run


def test_collectstatic_with_hashed_storage_succeeds(production):
    env, _ = production  # collectstatic ran for the run's static folder (an error fails the fixture)
    manifest = (Path(env["STATIC_ROOT"]) / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert (Path(env["STATIC_ROOT"]) / "vendor" / "bootstrap" / "bootstrap.min.css.gz").exists()  # compressed


def test_check_deploy_reports_nothing(production):
    env, _ = production
    # The real production defaults: HTTPS redirect, secure cookies, HSTS (the HTTP test below relaxes them).
    deploy_env = {k: v for k, v in env.items() if not k.startswith("SECURE_")}
    result = manage(deploy_env, "check", "--deploy", "--fail-level", "WARNING", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_serves_health_login_and_api(production):
    env, manage = production
    assert manage("migrate", "--noinput").returncode == 0  # the deploy step: nothing left to apply
    script = (
        "from django.contrib.auth.models import User, Group;"
        f"u=User.objects.create_user('smoke', 'smoke@example.com', '{PASSWORD}');"
        "u.groups.add(Group.objects.get(name='leader'))"
    )
    assert manage("shell", "-c", script).returncode == 0
    server, port = start_gunicorn(env, workers=2, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    health = client.get("/health/?format=json")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert health.status_code == 200

            login_page = client.get("/accounts/login/")
            assert login_page.status_code == 200
            assert "Content-Security-Policy" in login_page.headers
            assert login_page.headers["X-Frame-Options"] == "DENY"
            assert login_page.headers["X-Content-Type-Options"] == "nosniff"
            css = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]+\.css)"', login_page.text)
            assert css, "the page links the hashed static file"
            assert client.get(css.group(1)).status_code == 200
            token = client.cookies["csrftoken"]
            signed_in = client.post(
                "/accounts/login/",
                data={"login": "smoke", "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{base}/accounts/login/"},
            )
            assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
            assert client.get("/").status_code == 200

            created = client.post(
                "/api/v1/auth/tokens/",
                json={"expiry_days": 1},
                headers={"X-CSRFToken": client.cookies["csrftoken"], "Referer": f"{base}/"},
            )
            assert created.status_code == 201, created.text
        with httpx.Client(base_url=base, timeout=10) as api:
            people = api.get("/api/v1/people/", headers={"Authorization": f"Token {created.json()['token']}"})
            assert people.status_code == 200 and "results" in people.json()
            assert api.get("/api/v1/people/").status_code == 401
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert "Traceback" not in output, output
