"""Factories of team development, and the records the API fuzz test works on."""

from datetime import date, timedelta

import factory

from initiatives.models import Mentorship, MentorshipSession, Training, TrainingAttendance
from tests.factories.base import days_from_today
from tests.factories.people import PersonFactory


class MentorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentorship

    mentor = factory.SubFactory(PersonFactory, career_level="lead")
    mentee = factory.SubFactory(PersonFactory, career_level="engineer_1")
    focus_areas = "MLOps, stakeholder management"
    goals = "Lead a production model launch."
    start_date = days_from_today(-90)
    status = "active"


class MentorshipSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorshipSession

    mentorship = factory.SubFactory(MentorshipFactory)
    held_on = days_from_today(-7)
    duration_minutes = 45
    topics = factory.Sequence(lambda n: f"Topic {n}: model monitoring")
    action_items = "Draft the monitoring runbook."
    private_notes = factory.Sequence(lambda n: f"SECRET-NOTE-{n}")


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"Training {n}")
    topic = "genai"
    audience = "Everyone"
    held_on = days_from_today(14)
    duration_minutes = 90
    facilitator = factory.SubFactory(PersonFactory)
    capacity = 20
    counts_as_ai_literacy = True


class TrainingAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingAttendance

    training = factory.SubFactory(TrainingFactory)
    person = factory.SubFactory(PersonFactory)
    status = "registered"


def seed_api_data():
    """A mentorship with sessions, an upcoming and a past training with seats."""
    mentorship = MentorshipFactory()
    MentorshipSessionFactory.create_batch(2, mentorship=mentorship)
    upcoming = TrainingFactory()
    past = TrainingFactory(held_on=date.today() - timedelta(days=30), capacity=None)
    TrainingAttendanceFactory(training=upcoming)
    TrainingAttendanceFactory(training=past, status="attended")
