"""Expiry drives the due queue and the framework's **evidenced** figure (page, API, dashboard)."""

import datetime

import pytest
from django.utils import timezone

from evidence.services.evidence import evidence_create
from governance.models import Framework
from leadership.due import due_items
from tests.conftest import api_client, page_client
from tests.evidence import samples
from tests.factories.policies import FrameworkFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def attach(by, *, valid_until=None, **links):
    return evidence_create(
        by=by,
        data={"title": "Evidence", "kind": "test_report", "valid_until": valid_until, **links},
        upload=samples.upload("r.txt", f"report {valid_until}".encode()),
    )


def test_evidenced_counts_requirements_with_current_evidence(governance):
    framework = FrameworkFactory()
    first, second, third = (RequirementFactory(framework=framework) for _ in range(3))
    today = timezone.localdate()
    attach(governance, requirements=[first])
    attach(governance, requirements=[second], valid_until=today - datetime.timedelta(days=1))  # expired
    attach(governance, requirements=[second], valid_until=today)  # still current today
    framework = Framework.objects.with_coverage().get(pk=framework.pk)
    assert (framework.evidenced_count, framework.requirement_count, framework.evidenced_percent) == (2, 3, 67)
    body = api_client(governance).get(f"/api/v1/frameworks/{framework.pk}/").json()
    assert body["coverage"]["evidenced"] == 2 and body["coverage"]["evidenced_percent"] == 67
    page = page_client(governance).get(framework.get_absolute_url()).content.decode()
    assert "Evidenced: 67%" in page
    assert third.pk  # no evidence: not counted


def test_evidenced_figure_on_the_dashboard_and_the_report(governance):
    from django.urls import reverse

    framework = FrameworkFactory(title="Evidenced Framework")
    first, _ = (RequirementFactory(framework=framework) for _ in range(2))
    attach(governance, requirements=[first])
    client = page_client(governance)
    for url in (reverse("dashboard"), reverse("report")):
        body = client.get(url).content.decode()
        assert "Evidenced Framework" in body and "evidenced 50%" in body, url
    board = api_client(governance).get("/api/v1/dashboard/").json()
    (row,) = [f for f in board["framework_coverage"] if f["id"] == framework.pk]
    assert (row["evidenced"], row["evidenced_percent"]) == (1, 50)


def test_due_queue_lists_expired_and_expiring_evidence(governance, risk):
    today = timezone.localdate()
    expired = attach(governance, risks=[risk], valid_until=today - datetime.timedelta(days=2))
    soon = attach(governance, risks=[risk], valid_until=today + datetime.timedelta(days=25))
    attach(governance, risks=[risk], valid_until=today + datetime.timedelta(days=60))  # not yet
    attach(governance, risks=[risk])  # never expires
    items = [i for i in due_items(governance, today=today) if i.kind == "evidence"]
    assert [(i.pk, i.overdue) for i in items] == [(expired.pk, True), (soon.pk, False)]
    assert items[0].title.endswith("(expired)") and items[1].title.endswith("(expiring)")
    assert items[0].owner.user == governance
