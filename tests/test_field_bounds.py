"""Field bounds (issue 14.8): each is a model validator (full_clean, which every write service
runs) and, where SQL can say it, a named database constraint that refuses a write that skips the
services (a raw UPDATE). The README's rules section lists the same bounds."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from governance.models import Policy
from initiatives.models import KPI, Initiative, KPIMeasurement, MentorshipSession, Training
from tests.factories.people import PersonFactory
from tests.factories.policies import PolicyFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from tests.factories.team import MentorshipSessionFactory, TrainingFactory
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db


def refused(record, **values) -> dict:
    """The field errors full_clean() gives `record` with `values` set."""
    for name, value in values.items():
        setattr(record, name, value)
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def db_refuses(model, pk, **values):
    # A CHECK constraint (IntegrityError), or PostgreSQL's varchar length before it (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"budget": -5}, "budget"),
        ({"currency": "ZZZ"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"title": "   "}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"summary": "x" * 1_000_001}, "summary"),
        ({"start_date": date(1, 1, 1)}, "start_date"),
        ({"target_date": date(9999, 12, 31)}, "target_date"),
    ],
)
def test_an_initiative_refuses_values_no_user_would_accept(values, field):
    assert field in refused(InitiativeFactory(), **values)


def test_an_initiative_strips_text_and_upper_cases_its_currency():
    initiative = InitiativeFactory()
    initiative.title, initiative.currency, initiative.budget = "  Churn model  ", "usd", 0
    initiative.full_clean()
    assert (initiative.title, initiative.currency) == ("Churn model", "USD")


def test_the_database_refuses_what_the_validators_refuse():
    initiative = InitiativeFactory()
    db_refuses(Initiative, initiative.pk, budget=-5)
    db_refuses(Initiative, initiative.pk, currency="eur")
    db_refuses(Initiative, initiative.pk, currency="EURO")
    db_refuses(Initiative, initiative.pk, title="  ")
    db_refuses(Initiative, initiative.pk, start_date=date(2025, 2, 1), target_date=date(2025, 1, 1))
    db_refuses(Person, PersonFactory().pk, name="")
    kpi = KPIFactory(unit="%")
    db_refuses(KPI, kpi.pk, target=150)
    db_refuses(KPIMeasurement, KPIMeasurementFactory(kpi=kpi).pk, value=float("inf"))
    db_refuses(MentorshipSession, MentorshipSessionFactory().pk, duration_minutes=0)
    db_refuses(MentorshipSession, MentorshipSessionFactory().pk, duration_minutes=24 * 60 + 1)
    training = TrainingFactory()
    db_refuses(Training, training.pk, capacity=0)
    db_refuses(Training, training.pk, duration_minutes=0)
    db_refuses(Training, training.pk, title="")
    policy = PolicyFactory()
    db_refuses(Policy, policy.pk, review_interval_months=0)
    db_refuses(Policy, policy.pk, review_interval_months=61)


def test_people_governance_and_team_bounds():
    assert "review_interval_months" in refused(PolicyFactory(), review_interval_months=0)
    assert "review_interval_months" in refused(PolicyFactory(), review_interval_months=61)
    assert "capacity" in refused(TrainingFactory(), capacity=0)
    assert "duration_minutes" in refused(TrainingFactory(), duration_minutes=0)
    assert "duration_minutes" in refused(MentorshipSessionFactory(), duration_minutes=0)
    assert "held_on" in refused(MentorshipSessionFactory(), held_on=timezone.localdate() + timedelta(days=1))
    assert "name" in refused(PersonFactory(), name=" ")
    assert "name" in refused(AISystemFactory(), name="\t")
    assert "title" in refused(RiskFactory(), title="")


def test_a_kpi_in_percent_keeps_its_figures_within_0_100_and_points_are_finite_and_past():
    kpi = KPIFactory(unit="%")
    assert set(refused(kpi, target=101, baseline=-1)) == {"target", "baseline"}
    assert "value" in refused(KPIMeasurementFactory(), value=float("nan"))
    assert "observed_at" in refused(KPIMeasurementFactory(), observed_at=timezone.now() + timedelta(days=1))
    other = KPIFactory(unit="ms", target=450, baseline=900, warning_threshold=600)
    other.full_clean()  # a KPI in another unit is not bounded to 0-100


def test_the_currency_list_is_the_maintained_iso_4217_list():
    from vpportal.core.bounds import currency_codes

    assert {"EUR", "USD", "JPY", "CHF"} <= currency_codes() and "ZZZ" not in currency_codes()


def test_the_bulk_ingest_holds_a_point_to_the_same_bounds(executive):
    from tests.conftest import api_client, point_errors

    kpi = KPIFactory(unit="%")
    now = timezone.now()
    points = [
        {"kpi": kpi.pk, "observed_at": (now - timedelta(hours=1)).isoformat(), "value": 50},
        {"kpi": kpi.pk, "observed_at": (now + timedelta(days=1)).isoformat(), "value": 50},
        {"kpi": kpi.pk, "observed_at": "0001-01-01T00:00:00Z", "value": 50},
    ]
    response = api_client(executive).post("/api/v1/kpi-measurements/bulk/", points, format="json")
    assert response.status_code == 400
    errors = {i: set(e) for i, e in point_errors(response.json()).items()}
    assert errors == {1: {"observed_at"}, 2: {"observed_at"}}
    assert not kpi.measurements.exists()


def test_the_newer_records_have_their_bounds_in_the_database_too(executive):
    """Incidents, webhooks and their deliveries, notifications, model sources and versions (evidence
    and vendors: title/name not blank, size > 0, country codes)."""
    from governance.models import Incident
    from integrations.models import AISystemVersion, ModelSource, Notification, Webhook, WebhookDelivery
    from tests.factories.incidents import IncidentFactory
    from tests.factories.integrations import (
        AISystemVersionFactory,
        ModelSourceFactory,
        NotificationFactory,
        WebhookDeliveryFactory,
        WebhookFactory,
    )

    incident = IncidentFactory(serious=True, serious_kind="other_serious")
    incident.reported_to_authority_at = incident.detected_at
    incident.save()
    db_refuses(Incident, incident.pk, reported_to_authority_at=incident.detected_at - timedelta(hours=1))
    source = ModelSourceFactory()
    db_refuses(ModelSource, source.pk, name=" ")
    db_refuses(ModelSource, source.pk, tracking_uri="")
    db_refuses(Webhook, WebhookFactory().pk, url="")
    delivery = WebhookDeliveryFactory()
    db_refuses(WebhookDelivery, delivery.pk, attempt=0)
    db_refuses(WebhookDelivery, delivery.pk, response_status=42)
    db_refuses(Notification, NotificationFactory().pk, text="  ")
    version = AISystemVersionFactory()
    db_refuses(AISystemVersion, version.pk, model_version="")
    db_refuses(AISystemVersion, version.pk, approval="approved")  # a decision without its time
    assert "name" in refused(source, name="  ") and "tracking_uri" in refused(ModelSourceFactory(), tracking_uri="")


def test_a_reported_incident_cannot_be_detected_after_its_report(executive):
    """Moving the detection past the report is a field error (it was an IntegrityError: a 500)."""
    from tests.conftest import api_client
    from tests.factories.incidents import IncidentFactory

    incident = IncidentFactory(serious=True, serious_kind="other_serious")
    client = api_client(executive)
    reported = client.post(f"/api/v1/incidents/{incident.pk}/report/", {"authority_reference": "AUTH-1"}, format="json")
    assert reported.status_code == 200, reported.content
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    response = client.patch(f"/api/v1/incidents/{incident.pk}/", {"detected_at": later}, format="json")
    assert response.status_code == 400 and "detected_at" in response.json()
    incident.refresh_from_db()
    assert incident.detected_at < incident.reported_to_authority_at
