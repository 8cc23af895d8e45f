import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories.risks import RiskFactory
from vpportal.events.models import Event
from vpportal.events.outbox import record_event
from vpportal.events.retention import prune_events

pytestmark = pytest.mark.django_db


def test_events_older_than_the_retention_go_and_the_history_stays(settings, executive):
    settings.EVENT_RETENTION_DAYS = 90
    risks = RiskFactory.create_batch(3)
    old, edge, fresh = (record_event(r, "risk.updated", by=executive) for r in risks)
    now = timezone.now()
    Event.objects.filter(pk=old.pk).update(occurred_at=now - timedelta(days=91))
    Event.objects.filter(pk=edge.pk).update(occurred_at=now - timedelta(days=89))
    history_rows = risks[0].history.count()
    assert prune_events(now=now, batch=1) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {edge.pk, fresh.pk}
    assert risks[0].history.count() == history_rows == 1
    assert prune_events(now=now) == 0  # idempotent
    call_command("prune_events", stdout=io.StringIO())
    assert Event.objects.count() == 2
