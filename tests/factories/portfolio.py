"""Factories of the portfolio, and the records the API fuzz test works on."""

from datetime import timedelta

import factory
from django.utils import timezone

from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from initiatives.services.portfolio import KEY_FORMAT
from tests.factories.base import KeyedFactory, days_from_today
from tests.factories.people import PersonFactory


class InitiativeFactory(KeyedFactory):
    _key_format = KEY_FORMAT

    class Meta:
        model = Initiative

    title = factory.Sequence(lambda n: f"Initiative {n}")
    summary = "Use machine learning where it pays off."
    business_objective = "Lower the cost to serve."
    owner = factory.SubFactory(PersonFactory)
    stage = "idea"
    start_date = days_from_today(-30)
    target_date = days_from_today(180)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = days_from_today(30)


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    direction = "higher_is_better"
    baseline = 50
    target = 80
    warning_threshold = 70
    cadence = "weekly"


class KPIMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPIMeasurement

    kpi = factory.SubFactory(KPIFactory)
    # Each point a second older than the one before (a sequence over the whole test process): in
    # hours, a worker that had made a few hundred points before a test made its points stale (grey).
    observed_at = factory.Sequence(lambda n: timezone.now() - timedelta(seconds=n + 1))
    value = 75.0
    source = "test"


def seed_api_data():
    """A few linked records so detail and action operations of the fuzz test hit real rows."""
    for stage in ("idea", "poc", "pilot"):
        initiative = InitiativeFactory(stage=stage, partner_functions=["finance"], tags=["genai"])
        MilestoneFactory(initiative=initiative)
        kpi = KPIFactory(initiative=initiative)
        for days in range(3):
            KPIMeasurementFactory(kpi=kpi, observed_at=timezone.now() - timedelta(days=days))
    KPIFactory(initiative=None, name="Organisation-wide adoption")
