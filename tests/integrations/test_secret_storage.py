"""Webhook signing secrets are encrypted at rest (Fernet, keys from settings): the database, the
history table included, holds only tokens; the data migration encrypts rows written before it and
decrypts them when reversed; a key rotation re-encrypts; a missing key is an error, never a leak.
The Webhooks entry of the navigation is shown only to the roles that may open its pages."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from integrations import crypto
from integrations.models import Webhook
from integrations.services import webhook_create, webhook_rotate_secret
from tests.conftest import page_client


def stored(table="integrations_webhook"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret, previous_secret FROM {table} ORDER BY 1")  # noqa: S608
        return cursor.fetchall()


def make(by, receiver):
    webhook, secret = webhook_create(by=by, data={"url": receiver.url, "event_types": ["risk.*"]})
    return webhook, secret


@pytest.mark.django_db
def test_the_database_holds_only_encrypted_secrets(governance, receiver, private_targets):
    webhook, first = make(governance, receiver)
    webhook, second = webhook_rotate_secret(webhook, by=governance)
    rows = stored() + stored("integrations_historicalwebhook")
    values = [v for row in rows for v in row if v]
    assert len(values) == 5  # the subscription: 2; its history: 1 at the create, 2 at the rotation
    assert all(v.startswith(crypto.TOKEN_PREFIX) and "whsec_" not in v for v in values)
    assert {crypto.decrypt(v) for v in values} == {first, second}
    fresh = Webhook.objects.get(pk=webhook.pk)
    assert (fresh.secret, fresh.previous_secret) == (second, first)


@pytest.mark.django_db
def test_a_secret_without_its_key_is_an_error(governance, receiver, private_targets, settings):
    webhook, _ = make(governance, receiver)
    settings.WEBHOOK_SECRET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured):
        Webhook.objects.get(pk=webhook.pk)


@pytest.mark.django_db
def test_a_bad_key_setting_is_reported(settings):
    settings.WEBHOOK_SECRET_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_SECRET_KEYS"):
        crypto.encrypt("whsec_x")


@pytest.mark.django_db
def test_rotating_the_key_re_encrypts_every_row(governance, receiver, private_targets, settings):
    old = Fernet.generate_key().decode()
    settings.WEBHOOK_SECRET_KEYS = [old]
    webhook, secret = make(governance, receiver)
    new = Fernet.generate_key().decode()
    settings.WEBHOOK_SECRET_KEYS = [new, old]
    call_command("rotate_webhook_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.WEBHOOK_SECRET_KEYS = [new]  # the old key dropped: everything still opens
    assert Webhook.objects.get(pk=webhook.pk).secret == secret
    history = Webhook.history.model.objects.filter(id=webhook.pk).values_list("secret", flat=True)
    assert list(history) == [secret]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_existing_rows_and_reverses(
    governance, receiver, private_targets, migrator_in_place
):
    webhook, secret = make(governance, receiver)
    migrator_in_place.to([("integrations", "0002_notifications")])
    assert stored() == [(secret, "")]  # reversed: plain, as rows were before the migration
    assert stored("integrations_historicalwebhook") == [(secret, "")]
    migrator_in_place.restore()
    (token, _), (history_token, _) = stored()[0], stored("integrations_historicalwebhook")[0]
    assert token.startswith(crypto.TOKEN_PREFIX) and history_token.startswith(crypto.TOKEN_PREFIX)
    assert Webhook.objects.get(pk=webhook.pk).secret == secret


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"),
    [("executive", True), ("governance", True), ("leader", False), ("contributor", False), ("auditor", False)],
)
def test_the_webhooks_entry_is_shown_only_to_who_may_use_it(personas, role, shown):
    page = page_client(personas[role]).get(reverse("dashboard"))
    assert page.status_code == 200
    assert (reverse("integrations:webhook_list") in page.content.decode()) is shown
    assert "Risk register" in page.content.decode()  # the rest of the menu is there
