"""The demo data has mentorships with sessions (private notes included) and a training programme
with attendance, some of it upcoming."""

import pytest
from django.utils import timezone

from initiatives.models import Mentorship, MentorshipSession, Training, TrainingAttendance
from initiatives.services.team import ai_literacy_coverage
from leadership.demo import create_demo

pytestmark = pytest.mark.django_db


def test_demo_builds_mentorships_sessions_and_a_training_programme():
    create_demo()
    assert Mentorship.objects.filter(mentor__user__username="director", mentee__user__username="scientist").exists()
    assert MentorshipSession.objects.exclude(private_notes="").count() >= 5
    titles = set(Training.objects.values_list("title", flat=True))
    assert {"Generative AI fundamentals", "Responsible AI in practice", "MLOps: from notebook to production"} <= titles
    assert Training.objects.filter(held_on__gt=timezone.localdate()).exists()
    assert TrainingAttendance.objects.filter(status="attended").exists()
    coverage = ai_literacy_coverage()
    assert 0 < coverage.covered < coverage.total
