"""Webhook delivery on a real worker process (`celery -A vpportal worker`, Redis): a change through
the API reaches a verifying receiver; a worker killed with SIGKILL in the middle of a delivery loses
nothing, and the receiver sees the same `webhook-id` again (exactly once for a receiver that
remembers ids). A change whose announcement to the broker was lost is delivered by the sweep that
`celery -A vpportal beat` schedules."""

import threading

import pytest

from integrations.models import WebhookDelivery
from tests.conftest import api_client
from tests.factories.risks import AISystemFactory
from tests.workers import Beat, broker_unreachable, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(user, receiver):
    response = api_client(user).post(
        "/api/v1/webhooks/", {"url": receiver.url, "event_types": ["risk.*"]}, format="json"
    )
    assert response.status_code == 201, response.content
    receiver.secrets.append(response.json()["secret"])
    return response.json()["id"]


def create_risk(user, title="Drift"):
    data = {"title": title, "category": "robustness", "ai_system": AISystemFactory().pk, "likelihood": 3, "impact": 4}
    response = api_client(user).post("/api/v1/risks/", data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_change_reaches_the_receiver_through_the_worker(celery_worker, governance, receiver, private_targets):
    subscribe(governance, receiver)
    risks = [create_risk(governance, f"Risk {n}") for n in range(3)]
    assert wait_for(lambda: len(receiver.verified_ids) >= 3, timeout=90), celery_worker.log_path.read_text()[-3000:]
    assert [r["payload"]["data"]["data"]["title"] for r in receiver.received] == [r["title"] for r in risks]
    assert all(r["verified"] for r in receiver.received)


def test_a_worker_killed_mid_delivery_loses_nothing(celery_worker, governance, receiver, private_targets):
    webhook_id = subscribe(governance, receiver)
    in_flight, release = threading.Event(), threading.Event()

    def hold():
        in_flight.set()
        release.wait(60)
        return 200

    receiver.script = [hold]
    risk = create_risk(governance)
    assert in_flight.wait(90), celery_worker.log_path.read_text()[-3000:]
    celery_worker.kill()  # SIGKILL to the worker and its pool while the receiver holds the request
    release.set()
    celery_worker.start()
    assert wait_for(lambda: len(receiver.received) >= 2, timeout=120), celery_worker.log_path.read_text()[-3000:]
    ids = {r["id"] for r in receiver.received}
    assert len(ids) == 1 and all(r["verified"] for r in receiver.received)
    assert receiver.received[-1]["payload"]["data"]["object_id"] == risk["id"]
    delivery = wait_for(lambda: WebhookDelivery.objects.filter(webhook_id=webhook_id, status="succeeded").first())
    assert delivery is not None and delivery.message_id in ids
    assert WebhookDelivery.objects.filter(webhook_id=webhook_id).count() == 1


def test_the_worker_tells_the_owner(celery_worker, leader, contributor):
    from integrations.models import Notification
    from vpportal.people.models import Person

    data = {"title": "Owned", "category": "robustness", "ai_system": AISystemFactory().pk, "likelihood": 2, "impact": 2}
    response = api_client(leader).post(
        "/api/v1/risks/", data | {"owner": Person.objects.of_user(contributor).pk}, format="json"
    )
    assert response.status_code == 201
    assert wait_for(lambda: Notification.objects.for_user(contributor).exists(), timeout=90)


def test_beat_sweeps_up_a_change_whose_announcement_was_lost(
    celery_worker, governance, receiver, private_targets, tmp_path
):
    subscribe(governance, receiver)
    with broker_unreachable():  # when the change commits
        risk = create_risk(governance)
    assert not wait_for(lambda: receiver.received, timeout=3)  # nobody was told of it
    beat = Beat(tmp_path / "beat.log", WEBHOOK_SWEEP_SECONDS="1").start()
    try:
        delivered = wait_for(lambda: receiver.verified_ids, timeout=60)
    finally:
        beat.stop()
    assert delivered, (tmp_path / "beat.log").read_text()[-2000:] + celery_worker.log_path.read_text()[-2000:]
    assert receiver.received[-1]["payload"]["data"]["object_id"] == risk["id"]
    assert "Sending due task webhook-sweep" in (tmp_path / "beat.log").read_text()
    assert celery_worker.wait_idle()  # the last sweeps beat sent
