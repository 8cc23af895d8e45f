"""The production profile over real HTTP: hashed static files, `check --deploy`, gunicorn serving
/health/, a sign-in through the login page and an API call with a token.

Runs against its own SQLite file (the server is another process and cannot see the test database).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "smoke-test-password-42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "TESTING", "DATABASE_URL"))
    }
    env.update(
        DEBUG="0",
        TESTING="0",
        SECRET_KEY="smoke-" + "k" * 60,
        DATABASE_URL=f"sqlite:///{tmp / 'prod.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="3600",
        STATIC_ROOT=str(tmp / "static"),
        DJANGO_SETTINGS_MODULE="vpportal.settings",
        EMAIL_URL="consolemail://",
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    return env, manage, tmp


def test_collectstatic_with_hashed_storage_succeeds(production):
    env, manage, tmp = production
    result = manage("collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr
    manifest = (tmp / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest


def test_check_deploy_reports_nothing(production):
    env, _, _ = production
    # The real production defaults: HTTPS redirect, secure cookies, HSTS (the HTTP test below relaxes them).
    deploy_env = {k: v for k, v in env.items() if not k.startswith("SECURE_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=deploy_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_serves_health_login_and_api(production):
    env, manage, tmp = production
    assert manage("collectstatic", "--noinput").returncode == 0
    assert manage("migrate", "--noinput").returncode == 0
    script = (
        "from django.contrib.auth.models import User, Group;"
        f"u=User.objects.create_user('smoke', 'smoke@example.com', '{PASSWORD}');"
        "u.groups.add(Group.objects.get(name='leader'))"
    )
    assert manage("shell", "-c", script).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vpportal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
