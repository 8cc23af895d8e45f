"""Data for the leadership views: a bit of every area, and more of it for the query-count tests."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.policies import ApprovedVersionFactory, PolicyVersionFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory, MilestoneFactory
from tests.factories.risks import MitigationFactory, RiskFactory
from tests.factories.team import TrainingAttendanceFactory, TrainingFactory


def build_world(n: int = 1, owner=None):
    """`n` copies of a small organisation: initiatives in several stages and healths, KPIs in each
    status, risks across the heat map, overdue work, policies in review, AI-literacy trainings."""
    today = timezone.localdate()
    past = today - datetime.timedelta(days=10)
    for i in range(n):
        kwargs = {"owner": owner} if owner is not None else {}
        initiative = InitiativeFactory(
            stage=("idea", "poc", "pilot")[i % 3], health=("on_track", "at_risk")[i % 2], **kwargs
        )
        InitiativeFactory(stage="production", health="off_track")
        MilestoneFactory(initiative=initiative, due_date=past, status="in_progress")
        MilestoneFactory(initiative=initiative, due_date=today + datetime.timedelta(days=3))
        green = KPIFactory(initiative=initiative, **kwargs)
        KPIMeasurementFactory(kpi=green, value=90)
        red = KPIFactory(initiative=initiative)
        for hours in range(3):
            KPIMeasurementFactory(
                kpi=red, value=10 + hours, observed_at=timezone.now() - datetime.timedelta(hours=hours + 1)
            )
        KPIFactory(initiative=None, cadence="daily")  # never measured: grey
        risk = RiskFactory(likelihood=5, impact=4, residual_likelihood=2, next_review_date=past, **kwargs)
        RiskFactory(likelihood=1, impact=2)
        MitigationFactory(risk=risk, due_date=past, status="planned", **kwargs)
        MitigationFactory(risk=risk, due_date=past, status="implemented")
        approved = ApprovedVersionFactory()
        PolicyVersionFactory(policy=approved.policy, status="in_review")
        training = TrainingFactory(held_on=today - datetime.timedelta(days=30))
        TrainingAttendanceFactory(training=training, status="attended")
        TrainingFactory(held_on=today + datetime.timedelta(days=5))


@pytest.fixture
def world(db):
    build_world()
