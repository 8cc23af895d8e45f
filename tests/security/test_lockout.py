"""Brute-force lockout counts the account, whatever identifier was typed (issue 15.7), and the
re-authentication before sensitive actions shares that counter and signs the session out once it
locks (issue 15.6)."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.choices import RiskStatus
from tests.factories.people import PASSWORD, UserFactory
from tests.factories.risks import RiskFactory
from tests.security.test_sign_in_hardening import age_sign_in, sign_in

pytestmark = pytest.mark.django_db


def fail(login, times, ip="10.0.0.1"):
    for _ in range(times):
        Client(REMOTE_ADDR=ip).post(reverse("account_login"), {"login": login, "password": "wrong"})


def attempt(login, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


@pytest.fixture
def account(db):
    return UserFactory(username="norole", email="no.role@example.com", roles=["contributor"])


def test_failures_typed_as_the_username_lock_the_email_sign_in_too(account, settings):
    fail("norole", settings.AXES_FAILURE_LIMIT)
    client, response = attempt("no.role@example.com")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_failures_typed_as_the_email_in_any_case_lock_the_username_sign_in(account, settings):
    fail("NO.ROLE@EXAMPLE.COM", settings.AXES_FAILURE_LIMIT - 1)
    client, response = attempt("no.role@example.com", ip="10.0.0.9")
    assert response.status_code == 302  # one below the limit: the account still signs in...
    client.post(reverse("account_logout"))
    fail("NO.ROLE@EXAMPLE.COM", settings.AXES_FAILURE_LIMIT - 1)  # (a success resets the count)
    fail("NoRole", 1)
    client, response = attempt("norole")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_an_account_locks_whatever_addresses_the_failures_came_from(account, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail("norole", 1, ip=f"10.0.1.{n}")
    client, response = attempt("norole", ip="10.0.2.1")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked(account, settings):
    others = [UserFactory(username=f"sprayed{n}", roles=["contributor"]) for n in range(settings.AXES_FAILURE_LIMIT)]
    for other in others:
        fail(other.username, 1, ip="10.0.3.1")
    client, response = attempt("norole", ip="10.0.3.1")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert attempt("norole", ip="10.0.3.2")[1].status_code == 302  # the account itself is not locked


# --- re-authentication ------------------------------------------------------------------------------


@pytest.fixture
def old_session(governance, settings):
    settings.REAUTH_SENSITIVE_ACTIONS = True
    # Re-authentication reads the user once per check and replays the POST: single-row reads by design.
    settings.ZEAL_ALLOWLIST = [*settings.ZEAL_ALLOWLIST, {"model": "auth.User"}]
    client = sign_in(governance)
    age_sign_in(client)
    return client


def test_wrong_passwords_on_re_authentication_sign_the_session_out(governance, old_session, settings):
    risk = RiskFactory(likelihood=4, impact=4)
    response = old_session.post(reverse("governance:risk_accept", args=[risk.pk]), {"justification": "Fine."})
    reauth = response["Location"]
    assert old_session.post(reauth, {"password": "wrong"}).status_code == 200  # one miss: asked again
    assert "_auth_user_id" in old_session.session
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        old_session.post(reauth, {"password": "wrong"})
    assert "_auth_user_id" not in old_session.session
    confirmed = old_session.post(reauth, {"password": PASSWORD})
    assert confirmed.status_code in (302, 429) and "_auth_user_id" not in old_session.session
    risk.refresh_from_db()
    assert risk.status != RiskStatus.ACCEPTED


def test_re_authentication_failures_count_towards_the_sign_in_lockout(governance, old_session, settings):
    reauth = reverse("account_reauthenticate")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        old_session.post(reauth, {"password": "wrong"})
    _, response = attempt(governance.username, ip="10.0.4.1")
    assert response.status_code == 429


def test_sign_in_failures_lock_re_authentication_too(governance, old_session, settings):
    fail(governance.email, settings.AXES_FAILURE_LIMIT, ip="10.0.5.1")
    response = old_session.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert "_auth_user_id" not in old_session.session
    assert response.status_code in (302, 429)


# --- password reset when the mail server is down (issue 15.9) ---------------------------------------


@pytest.fixture
def mail_server_down(settings):
    """The real SMTP backend, pointed at a port where nothing listens (connection refused)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_password_reset_answers_the_same_page_when_the_mail_server_is_down(account, mail_server_down, caplog):
    known = Client().post(reverse("account_reset_password"), {"email": account.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    failures = [r for r in caplog.records if r.levelname == "ERROR" and "e-mail failed" in r.getMessage()]
    assert len(failures) == 2 and all(account.email not in r.getMessage() for r in failures)


def _queued_task_names() -> list[str]:
    """The task names waiting in this test process's own queue on the real Redis broker."""
    import json

    import redis
    from django.conf import settings

    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return [json.loads(raw)["headers"]["task"] for raw in queue.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)]


def test_a_reset_e_mail_the_mail_server_refused_goes_to_the_worker(account, mail_server_down):
    from tests.conftest import _drop_test_queue

    _drop_test_queue()
    try:
        Client().post(reverse("account_reset_password"), {"email": account.email})
        assert _queued_task_names() == ["vpportal.tasks.send_mail_task"]
    finally:
        _drop_test_queue()


def test_the_worker_sends_the_message_again_and_retries_while_the_server_is_down(settings, mail_server_down, caplog):
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives

    from vpportal.tasks import MAIL_RETRIES, mail_payload, send_mail_task

    message = EmailMultiAlternatives("Reset", "Your link", "portal@example.com", ["ada@example.com"])
    message.attach_alternative("<p>Your link</p>", "text/html")
    # Run in this process (Celery's apply), each retry runs at once instead of after its delay.
    down = send_mail_task.apply(args=(mail_payload(message),))
    assert down.state == "FAILURE"
    assert f"Gave up sending an e-mail after {MAIL_RETRIES + 1} attempts" in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = send_mail_task.apply(args=(mail_payload(message),))
    assert sent.state == "SUCCESS" and len(mail.outbox) == 1
    again = mail.outbox[0]
    assert (again.subject, again.to, again.alternatives[0][0]) == ("Reset", ["ada@example.com"], "<p>Your link</p>")
