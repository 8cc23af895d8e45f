"""Webhook pages and admin: executives and governance manage subscriptions; the secret is shown once."""

import pytest
from django.urls import reverse

from integrations.models import Webhook, WebhookDelivery
from tests.conftest import page_client

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_the_detail_never(governance, receiver, private_targets):
    client = page_client(governance)
    response = client.post(
        reverse("integrations:webhook_add"),
        {"url": receiver.url, "event_types": "risk.* policy_version.approved", "description": "SIEM", "active": "on"},
    )
    assert response.status_code == 200, response.content[:3000]
    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    assert webhook.event_types == ["policy_version.approved", "risk.*"]
    detail = client.get(webhook.get_absolute_url())
    assert detail.status_code == 200 and webhook.secret not in detail.content.decode()
    assert client.get(reverse("integrations:webhook_list")).status_code == 200
    rotated = client.post(reverse("integrations:webhook_rotate_secret", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret in rotated.content.decode() and webhook.previous_secret
    assert client.post(reverse("integrations:webhook_test", args=[webhook.pk])).status_code == 302
    assert WebhookDelivery.objects.get().event.type == "webhook.ping"
    assert "webhook.ping" in client.get(webhook.get_absolute_url()).content.decode()


def test_bad_input_is_a_field_error(governance, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = page_client(governance).post(
        reverse("integrations:webhook_add"), {"url": "http://127.0.0.1:8000/x", "event_types": "risk.$"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "url" in errors and "event_types" in errors
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("role", ["leader", "contributor", "auditor", "outsider"])
def test_other_roles_may_not_open_the_pages(personas, role):
    client = page_client(personas[role])
    assert client.get(reverse("integrations:webhook_list")).status_code == 403
    assert client.get(reverse("integrations:webhook_add")).status_code == 403


def test_admin_lists_and_adds_through_the_service(executive, receiver, private_targets):
    client = page_client(executive)
    assert client.get(reverse("admin:integrations_webhook_changelist")).status_code == 200
    response = client.post(
        reverse("admin:integrations_webhook_add"),
        {"url": receiver.url, "event_types": '["*"]', "description": "x", "active": "on"},
    )
    assert response.status_code == 302, response.content[:3000]
    assert Webhook.objects.get().secret.startswith("whsec_")
    assert client.get(reverse("admin:integrations_webhookdelivery_changelist")).status_code == 200
