"""The webhook and notification lists run a constant number of queries, on pages and in the API,
whatever the number of subscriptions, deliveries and notifications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.dispatch import fan_out_notifications, fan_out_webhooks
from integrations.models import Webhook
from integrations.services import webhook_create
from tests.conftest import api_client, page_client
from tests.factories.risks import RiskFactory
from tests.integrations.test_notifications import create_risk
from vpportal.events.outbox import record_event
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def subscriptions(by, n):
    for i in range(n):
        webhook_create(by=by, data={"url": f"http://127.0.0.1:9/hook-{i}", "event_types": ["risk.*"]})


def deliveries(by, n):
    for risk in RiskFactory.create_batch(n):
        record_event(risk, "risk.updated", by=by)
    fan_out_webhooks()


# token or session, user, roles, count, page (the API adds nothing per row: owners and events joined)
WEBHOOK_LISTS = {"/api/v1/webhooks/": 4, "/api/v1/webhook-deliveries/": 4}


@pytest.mark.parametrize("url", WEBHOOK_LISTS)
def test_webhook_api_lists_run_constant_queries(governance, private_targets, django_assert_num_queries, url):
    client = api_client(governance)
    subscriptions(governance, 2)
    deliveries(governance, 2)
    with django_assert_num_queries(WEBHOOK_LISTS[url]):
        client.get(url)
    subscriptions(governance, 8)
    deliveries(governance, 8)
    with django_assert_num_queries(WEBHOOK_LISTS[url]):
        client.get(url)


def test_webhook_pages_run_constant_queries(governance, private_targets):
    client = page_client(governance)
    subscriptions(governance, 1)
    webhook = Webhook.objects.get()
    detail = webhook.get_absolute_url()  # with its delivery log
    deliveries(governance, 2)
    few = queries(client, reverse("integrations:webhook_list")), queries(client, detail)
    subscriptions(governance, 8)
    deliveries(governance, 8)
    assert (queries(client, reverse("integrations:webhook_list")), queries(client, detail)) == few


def test_notification_list_and_bell_run_constant_queries(leader, contributor):
    owner = Person.objects.of_user(contributor)
    pages, api = page_client(contributor), api_client(contributor)
    urls = [reverse("integrations:notifications"), reverse("integrations:notification_bell")]

    def told(n):
        for _ in range(n):
            create_risk(leader, owner)
        fan_out_notifications()

    told(2)
    few = [queries(pages, url) for url in urls] + [queries(api, "/api/v1/notifications/")]
    told(8)
    assert [queries(pages, url) for url in urls] + [queries(api, "/api/v1/notifications/")] == few
