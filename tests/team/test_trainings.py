"""Trainings and seats: register and unregister yourself, capacity (also under concurrent
registrations), one seat per person, attendance marking by leaders, permissions and query counts."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from initiatives.models import Training, TrainingAttendance
from initiatives.services import team as services
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.people import PersonFactory, UserFactory
from tests.factories.team import TrainingAttendanceFactory, TrainingFactory

from .conftest import person_of

pytestmark = pytest.mark.django_db

SELF_SERVICE = ("executive", "leader", "governance", "contributor")
TODAY = date.today()


def training_form(**overrides):
    data = {"title": "LLM evaluation", "topic": "llm", "held_on": "2030-05-01", "duration_minutes": 90, "capacity": 10}
    return data | overrides


@pytest.mark.parametrize("role", PERSONAS)
def test_every_role_reads_trainings_and_only_leaders_create_them(personas, role):
    training = TrainingFactory()
    reader = role != "outsider"
    client = page_client(personas[role])
    for url in (reverse("initiatives:training_list"), training.get_absolute_url(), reverse("initiatives:ai_literacy")):
        assert client.get(url).status_code == (200 if reader else 403)
    page = client.post(reverse("initiatives:training_add"), training_form())
    api = api_client(personas[role]).post("/api/v1/trainings/", training_form(title="API"), format="json")
    creator = role in ("executive", "leader")
    assert (page.status_code, api.status_code) == ((302, 201) if creator else (403, 403))


@pytest.mark.parametrize("role", PERSONAS)
def test_everyone_but_auditors_registers_themselves_through_the_page(personas, role):
    training = TrainingFactory()
    response = page_client(personas[role]).post(reverse("initiatives:training_register", args=[training.pk]))
    registered = TrainingAttendance.objects.filter(training=training, person__user=personas[role]).exists()
    assert registered is (role in SELF_SERVICE)
    assert response.status_code == (302 if role in SELF_SERVICE else 403)


def test_a_contributor_registers_and_unregisters_through_the_api(contributor):
    training = TrainingFactory()
    client = api_client(contributor)
    response = client.post(f"/api/v1/trainings/{training.pk}/register/")
    assert response.status_code == 200 and response.json()["attendee_count"] == 1
    assert client.post(f"/api/v1/trainings/{training.pk}/register/").status_code == 400  # a second seat
    assert client.post(f"/api/v1/trainings/{training.pk}/unregister/").json()["attendee_count"] == 0
    assert client.post(f"/api/v1/trainings/{training.pk}/unregister/").status_code == 400


def test_a_contributor_may_not_seat_or_unseat_someone_else(contributor):
    training = TrainingFactory()
    other = PersonFactory()
    client = api_client(contributor)
    create = client.post("/api/v1/training-attendance/", {"training": training.pk, "person": other.pk}, format="json")
    assert create.status_code == 403
    seat = TrainingAttendanceFactory(training=training, person=other)
    assert client.delete(f"/api/v1/training-attendance/{seat.pk}/").status_code == 403
    own = client.post(
        "/api/v1/training-attendance/", {"training": training.pk, "person": person_of(contributor).pk}, format="json"
    )
    assert own.status_code == 201
    assert TrainingAttendance.objects.filter(training=training).count() == 2


def test_a_full_training_refuses_the_next_registration_in_every_channel(contributor, other_contributor, leader):
    training = TrainingFactory(capacity=1)
    TrainingAttendanceFactory(training=training)
    page = page_client(contributor).post(reverse("initiatives:training_register", args=[training.pk]), follow=True)
    assert "is full" in page.content.decode()
    api = api_client(other_contributor).post(f"/api/v1/trainings/{training.pk}/register/")
    assert api.status_code == 400 and "is full" in str(api.json())
    by_leader = api_client(leader).post(
        "/api/v1/training-attendance/", {"training": training.pk, "person": PersonFactory().pk}, format="json"
    )
    assert by_leader.status_code == 400 and "training" in by_leader.json()
    assert training.attendances.count() == 1


def test_one_seat_per_person_with_a_clear_error(leader):
    seat = TrainingAttendanceFactory()
    response = api_client(leader).post(
        "/api/v1/training-attendance/", {"training": seat.training_id, "person": seat.person_id}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["person"] == [f"{seat.person} already has a seat at “{seat.training}”."]


def test_capacity_cannot_drop_below_the_seats_taken(leader):
    training = TrainingFactory(capacity=5)
    TrainingAttendanceFactory.create_batch(3, training=training)
    response = api_client(leader).patch(f"/api/v1/trainings/{training.pk}/", {"capacity": 2}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()
    assert (
        api_client(leader).patch(f"/api/v1/trainings/{training.pk}/", {"capacity": 3}, format="json").status_code == 200
    )


def test_registration_closes_once_the_training_took_place(contributor, leader):
    past = TrainingFactory(held_on=TODAY - timedelta(days=1))
    response = api_client(contributor).post(f"/api/v1/trainings/{past.pk}/register/")
    assert response.status_code == 400 and "already taken place" in str(response.json())
    # A leader may still record who came.
    person = PersonFactory()
    recorded = api_client(leader).post(
        "/api/v1/training-attendance/", {"training": past.pk, "person": person.pk, "status": "attended"}, format="json"
    )
    assert recorded.status_code == 201


def test_leaders_mark_attendance_after_the_training_and_others_may_not(leader, contributor):
    past = TrainingFactory(held_on=TODAY - timedelta(days=2))
    seat = TrainingAttendanceFactory(training=past, person=person_of(contributor))
    url = reverse("initiatives:trainingattendance_mark", args=[seat.pk])
    assert page_client(contributor).post(url, {"status": "attended"}).status_code == 403
    assert (
        api_client(contributor).patch(f"/api/v1/training-attendance/{seat.pk}/", {"status": "attended"}).status_code
        == 403
    )
    assert page_client(leader).post(url, {"status": "attended", "version": seat.version}).status_code == 302
    seat.refresh_from_db()
    assert seat.status == "attended"
    # Once recorded, the contributor cannot unregister it away.
    assert page_client(contributor).post(reverse("initiatives:training_unregister", args=[past.pk])).status_code == 302
    assert TrainingAttendance.objects.filter(pk=seat.pk).exists()


def test_attendance_cannot_be_marked_before_the_training(leader):
    seat = TrainingAttendanceFactory(training=TrainingFactory(held_on=TODAY + timedelta(days=3)))
    response = api_client(leader).patch(f"/api/v1/training-attendance/{seat.pk}/", {"status": "attended"})
    assert response.status_code == 400 and "status" in response.json()


def test_a_stale_mark_is_refused(leader):
    seat = TrainingAttendanceFactory(training=TrainingFactory(held_on=TODAY - timedelta(days=1)))
    api_client(leader).patch(f"/api/v1/training-attendance/{seat.pk}/", {"status": "no_show"})
    url = reverse("initiatives:trainingattendance_mark", args=[seat.pk])
    response = page_client(leader).post(url, {"status": "attended", "version": 1}, follow=True)
    assert "Someone else changed this record" in response.content.decode()
    seat.refresh_from_db()
    assert seat.status == "no_show"


def test_registration_is_in_history_with_the_actor(contributor):
    training = TrainingFactory()
    page_client(contributor).post(reverse("initiatives:training_register", args=[training.pk]))
    row = TrainingAttendance.history.get(training_id=training.pk)
    assert (row.history_type, row.history_user, row.history_channel) == ("+", contributor, "web")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    training = TrainingFactory(capacity=1)
    users = []
    for n in range(4):
        user = UserFactory(username=f"racer{n}", roles=["contributor"])
        PersonFactory(user=user)
        users.append(user)
    barrier, outcomes = threading.Barrier(len(users)), []

    def register(user):
        from django.db import connections

        barrier.wait()
        try:
            services.training_register(training=Training.objects.get(pk=training.pk), by=user)
            outcomes.append("seat")
        except Exception as error:  # noqa: BLE001 - the refusal is what we count
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("seat") == 1
    assert TrainingAttendance.objects.filter(training=training).count() == 1


def test_the_list_shows_upcoming_first_then_past_and_my_seat(contributor):
    past = TrainingFactory(title="Past one", held_on=TODAY - timedelta(days=5))
    later = TrainingFactory(title="Later one", held_on=TODAY + timedelta(days=30))
    soon = TrainingFactory(title="Soon one", held_on=TODAY + timedelta(days=2))
    TrainingAttendanceFactory(training=soon, person=person_of(contributor))
    rows = list(page_client(contributor).get(reverse("initiatives:training_list")).context["object_list"])
    assert rows == [soon, later, past]
    assert rows[0].my_status == "registered" and rows[1].my_status is None
    upcoming = api_client(contributor).get("/api/v1/trainings/", {"when": "upcoming"}).json()["results"]
    assert {t["title"] for t in upcoming} == {"Soon one", "Later one"}


def test_training_pages_and_api_run_constant_queries(leader, django_assert_num_queries):
    training = TrainingFactory(held_on=TODAY - timedelta(days=1))
    TrainingAttendanceFactory(training=training)
    page, api = page_client(leader), api_client(leader)
    page.get(reverse("initiatives:training_list"))

    def counts():
        # Pages: + the user's and the groups' permissions (read once per request) for the navigation's
        # permission-gated entries (Import, Webhooks), added by merged branches.
        with django_assert_num_queries(9):  # session, user, roles, person, count, page, facilitator choices
            page.get(reverse("initiatives:training_list"))
        with django_assert_num_queries(8):  # session, user, roles, training (seats counted), seats, person
            page.get(training.get_absolute_url())
        with django_assert_num_queries(4):  # token and user, roles, count, page
            api.get("/api/v1/trainings/")
        with django_assert_num_queries(4):
            api.get("/api/v1/training-attendance/")

    counts()
    TrainingAttendanceFactory.create_batch(8, training=training)
    for other in TrainingFactory.create_batch(5):
        TrainingAttendanceFactory.create_batch(2, training=other)
    counts()
