"""AI-literacy coverage (EU AI Act Art. 4): share of ACTIVE people who attended an AI-literacy
training held in the last 12 months, both ends of the window included."""

from datetime import date

import pytest
from django.urls import reverse

from initiatives.services.team import ai_literacy_coverage, ai_literacy_window
from tests.conftest import page_client
from tests.factories.people import PersonFactory
from tests.factories.team import TrainingAttendanceFactory, TrainingFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


def attended(person, held_on, *, literacy=True, status="attended"):
    training = TrainingFactory(held_on=held_on, counts_as_ai_literacy=literacy, capacity=None, facilitator=None)
    return TrainingAttendanceFactory(training=training, person=person, status=status)


def test_the_window_is_the_last_twelve_months_both_ends_included():
    assert ai_literacy_window(TODAY) == (date(2024, 6, 15), TODAY)
    assert ai_literacy_window(date(2024, 2, 29)) == (date(2023, 2, 28), date(2024, 2, 29))


def test_coverage_counts_attendance_inside_the_window_only():
    on_first_day, on_last_day, day_before, day_after = (PersonFactory() for _ in range(4))
    attended(on_first_day, date(2024, 6, 15))
    attended(on_last_day, TODAY)
    attended(day_before, date(2024, 6, 14))  # 12 months and a day ago: no longer counts
    attended(day_after, date(2025, 6, 16))  # not held yet on TODAY
    coverage = ai_literacy_coverage(today=TODAY)
    assert (coverage.covered, coverage.total) == (2, 4)
    assert coverage.share == 0.5 and coverage.percent == 50
    assert set(coverage.uncovered) == {day_before, day_after}


def test_only_attended_ai_literacy_trainings_of_active_people_count():
    registered, no_show, other_topic, covered = (PersonFactory() for _ in range(4))
    inactive = PersonFactory(active=False)
    attended(registered, date(2025, 5, 1), status="registered")
    attended(no_show, date(2025, 5, 1), status="no_show")
    attended(other_topic, date(2025, 5, 1), literacy=False)
    attended(covered, date(2025, 5, 1))
    attended(inactive, date(2025, 5, 1))
    coverage = ai_literacy_coverage(today=TODAY)
    assert (coverage.covered, coverage.total) == (1, 4)  # the inactive person counts nowhere
    assert list(coverage.uncovered) == sorted([registered, no_show, other_topic], key=lambda p: p.name)


def test_two_trainings_count_a_person_once():
    person = PersonFactory()
    attended(person, date(2025, 1, 1))
    attended(person, date(2025, 3, 1))
    assert ai_literacy_coverage(today=TODAY).covered == 1


def test_nobody_active_means_zero_coverage_not_an_error():
    coverage = ai_literacy_coverage(today=TODAY)
    assert (coverage.covered, coverage.total, coverage.share) == (0, 0, 0.0)


def test_the_page_shows_the_figure_and_the_people_not_yet_covered(auditor, django_assert_num_queries):
    covered = PersonFactory(name="Covered Person")
    PersonFactory(name="Uncovered Person")
    attended(covered, date.today())
    client = page_client(auditor)
    response = client.get(reverse("initiatives:ai_literacy"))
    text = response.content.decode()
    assert "Uncovered Person" in text and "Covered Person</a>" not in text
    assert f"{response.context['coverage'].percent}%" in text
    # session, user, roles, Django's permission tables (2: an auditor may not add), covered and total
    # (one statement), uncovered count, trainings that count, uncovered page
    with django_assert_num_queries(9):
        client.get(reverse("initiatives:ai_literacy"))
    PersonFactory.create_batch(10)
    with django_assert_num_queries(9):
        client.get(reverse("initiatives:ai_literacy"))
