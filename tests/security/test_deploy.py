"""Production configuration, checked the way it runs: `check --deploy` with production-like
environment, and the security headers and cookies read over real HTTP from gunicorn."""

import re
import secrets
import subprocess
import time

import httpx
import pytest

from tests.production.processes import collected_static, manage, migrated_database, start_gunicorn
from tests.production.processes import production_env as production_env_in

OPS_PASSWORD = secrets.token_urlsafe(16)


def production_env(tmp_path, **extra):
    return production_env_in(tmp_path, ALLOWED_HOSTS="portal.example.com,127.0.0.1", **extra)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_sso_only_sign_in(tmp_path):
    env = production_env(
        tmp_path,
        OIDC_ISSUER="https://login.example.com/realms/acme",
        OIDC_CLIENT_ID="vp-portal",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_ROLE_MAP="ai-vp=executive,ai-leads=leader+contributor",
        OIDC_ONLY="1",
        MFA_REQUIRED_ROLES="executive,governance",
    )
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    shown = manage(
        env,
        "shell",
        "-c",
        "from django.conf import settings as s; app = s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0]; "
        "print(app['client_id'], app['settings']['server_url'], sorted(s.OIDC_ROLE_MAP['ai-leads']), s.OIDC_ONLY)",
    )
    # Django 5.2's shell may print a line about auto-imports first: the answer is the last line.
    assert shown.stdout.strip().splitlines()[-1].split() == [
        "vp-portal",
        "https://login.example.com/realms/acme",
        "['contributor',",
        "'leader']",
        "True",
    ], shown.stderr


def test_a_role_map_naming_an_unknown_role_stops_the_start(tmp_path):
    env = production_env(tmp_path, OIDC_ROLE_MAP="ai-vp=emperor")
    result = manage(env, "check")
    assert result.returncode != 0 and "unknown role 'emperor'" in result.stderr


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The app as production runs it: gunicorn, DEBUG off, behind a TLS-terminating proxy."""
    tmp_path = tmp_path_factory.mktemp("prod")
    env = production_env(
        tmp_path,
        DATABASE_URL=migrated_database(tmp_path_factory, tmp_path),
        STATIC_ROOT=collected_static(tmp_path_factory),
        BEHIND_PROXY="1",
    )
    create = f"from django.contrib.auth.models import User; User.objects.create_user('ops-user', 'ops@example.com', '{OPS_PASSWORD}')"
    assert manage(env, "shell", "-c", create).returncode == 0
    process, port = start_gunicorn(env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


HTTPS = {"X-Forwarded-Proto": "https", "Host": "portal.example.com"}


def test_plain_http_is_redirected_to_https(gunicorn):
    response = httpx.get(f"{gunicorn}/accounts/login/", headers={"Host": "portal.example.com"})
    assert response.status_code == 301 and response.headers["location"].startswith("https://portal.example.com/")


def test_pages_carry_the_security_headers_over_https(gunicorn):
    response = httpx.get(f"{gunicorn}/accounts/login/", headers=HTTPS)
    assert response.status_code == 200
    headers = response.headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    cookie = headers["set-cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def _sign_in_post(base, login, password, remember=False):
    """A real form POST through the proxy headers: the CSRF cookie is Secure, so it is passed by hand
    (an http:// client would rightly never send a Secure cookie)."""
    page = httpx.get(f"{base}/accounts/login/", headers=HTTPS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return httpx.post(
        f"{base}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "login": login,
            "password": password,
            **({"remember": "on"} if remember else {}),
        },
        headers={
            **HTTPS,
            "Referer": "https://portal.example.com/accounts/login/",
            "Cookie": f"csrftoken={page.cookies['csrftoken']}",
        },
    )


def test_a_form_post_without_the_csrf_token_is_refused(gunicorn):
    response = httpx.post(
        f"{gunicorn}/accounts/login/",
        data={"login": "x", "password": "y"},
        headers={**HTTPS, "Referer": "https://portal.example.com/"},
    )
    assert response.status_code == 403


def test_the_session_cookie_is_secure_http_only_lax_and_expires(gunicorn):
    refused = _sign_in_post(gunicorn, "ops-user", "wrong")
    assert refused.status_code == 200 and "sessionid=" not in refused.headers.get("set-cookie", "")
    session = _sign_in_post(gunicorn, "ops-user", OPS_PASSWORD)
    assert session.status_code == 302
    cookie = next(c for c in session.headers.get_list("set-cookie") if c.startswith("sessionid="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age" not in cookie  # without "keep me signed in" the session ends with the browser
    remembered = _sign_in_post(gunicorn, "ops-user", OPS_PASSWORD, remember=True)
    cookie = next(c for c in remembered.headers.get_list("set-cookie") if c.startswith("sessionid="))
    assert "Max-Age=28800" in cookie  # SESSION_COOKIE_AGE: eight hours at most


def test_error_pages_do_not_echo_the_request(gunicorn):
    marker = "private-marker-4242"
    response = httpx.get(f"{gunicorn}/no-such-page/{marker}/?email=ceo@example.com", headers=HTTPS)
    assert response.status_code == 404
    assert marker not in response.text and "ceo@example.com" not in response.text
    assert "Traceback" not in response.text and "SECRET_KEY" not in response.text


def test_static_files_are_served_with_nosniff(gunicorn):
    response = httpx.get(f"{gunicorn}/static/css/portal.css", headers=HTTPS)
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"
