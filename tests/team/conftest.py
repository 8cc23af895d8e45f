"""Team fixtures: a mentorship whose mentor is a leader and whose mentee is the contributor persona,
plus people on both sides of the private-notes line."""

import pytest

from tests.factories.people import PersonFactory, UserFactory
from tests.factories.team import MentorshipFactory, MentorshipSessionFactory
from vpportal.people.models import Person


def person_of(user):
    user.__dict__.pop("_vp_person", None)
    return Person.objects.of_user(user)


@pytest.fixture
def mentor(personas):
    """A leader who mentors the contributor persona."""
    user = UserFactory(username="mentor-user", roles=["leader"])
    PersonFactory(user=user, name="Mentor Persona", email="mentor-user@example.com")
    return user


@pytest.fixture
def other_contributor(personas):
    user = UserFactory(username="other-contributor", roles=["contributor"])
    PersonFactory(user=user, name="Other Contributor", email="other-contributor@example.com")
    return user


@pytest.fixture
def mentorship(mentor, contributor):
    return MentorshipFactory(mentor=person_of(mentor), mentee=person_of(contributor))


@pytest.fixture
def session(mentorship):
    return MentorshipSessionFactory(mentorship=mentorship, private_notes="SECRET-NOTE-ALPHA", topics="Career paths")


@pytest.fixture
def readers(personas, mentor, other_contributor):
    """Every kind of reader by name: who may read the notes and who may not."""
    return {**personas, "mentor": mentor, "other_contributor": other_contributor}
