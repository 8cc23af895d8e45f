"""Mentorships and sessions: who may do what through pages and API, the rules (mentor is not the
mentee, participants do not reassign), stale versions, history, "mine first" and query counts."""

import pytest
from django.urls import reverse

from initiatives.models import Mentorship, MentorshipSession
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.people import PersonFactory
from tests.factories.team import MentorshipFactory, MentorshipSessionFactory

from .conftest import person_of

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
CREATORS = ("executive", "leader")


def mentorship_form(mentor, mentee, **overrides):
    data = {
        "mentor": mentor.pk,
        "mentee": mentee.pk,
        "focus_areas": "Causal inference",
        "goals": "Run an experiment",
        "start_date": "2025-01-06",
        "status": "active",
        "meeting_cadence": "monthly",
    }
    return data | overrides


@pytest.mark.parametrize("role", PERSONAS)
def test_every_role_reads_mentorships_and_only_roles_get_in(personas, mentorship, role):
    expected = 200 if role in READERS else 403
    client = page_client(personas[role])
    assert client.get(reverse("initiatives:mentorship_list")).status_code == expected
    assert client.get(mentorship.get_absolute_url()).status_code == expected
    assert client.get(reverse("initiatives:mentorshipsession_list")).status_code == expected
    assert api_client(personas[role]).get("/api/v1/mentorships/").status_code == expected


def test_anonymous_is_sent_to_login_and_gets_401_from_the_api(mentorship):
    response = page_client().get(reverse("initiatives:mentorship_list"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert api_client().get("/api/v1/mentorships/").status_code == 401
    assert api_client().get("/api/v1/mentorship-sessions/").status_code == 401


@pytest.mark.parametrize("role", PERSONAS)
def test_only_leaders_and_executives_create_mentorships(personas, role):
    mentor, mentee = PersonFactory(), PersonFactory()
    page = page_client(personas[role]).post(reverse("initiatives:mentorship_add"), mentorship_form(mentor, mentee))
    api = api_client(personas[role]).post(
        "/api/v1/mentorships/", mentorship_form(mentee, mentor, start_date="2025-02-01"), format="json"
    )
    if role in CREATORS:
        assert (page.status_code, api.status_code) == (302, 201)
        assert Mentorship.objects.count() == 2
    else:
        assert page.status_code == 403 and api.status_code == 403
        assert not Mentorship.objects.exists()


def test_the_mentor_cannot_be_the_mentee_in_any_channel(leader):
    person = PersonFactory()
    page = page_client(leader).post(reverse("initiatives:mentorship_add"), mentorship_form(person, person))
    assert page.status_code == 200 and "mentee" in page.context["form"].errors
    assert b"Causal inference" in page.content  # the input is kept
    api = api_client(leader).post("/api/v1/mentorships/", mentorship_form(person, person), format="json")
    assert api.status_code == 400 and "mentee" in api.json()
    assert not Mentorship.objects.exists()


def test_the_end_date_cannot_precede_the_start(leader):
    a, b = PersonFactory(), PersonFactory()
    api = api_client(leader).post("/api/v1/mentorships/", mentorship_form(a, b, end_date="2024-01-01"), format="json")
    assert api.status_code == 400 and "end_date" in api.json()


@pytest.mark.parametrize("who", ("contributor", "mentor", "other_contributor", "auditor", "governance"))
def test_participants_edit_their_own_mentorship_and_others_may_not(readers, mentorship, who):
    response = api_client(readers[who]).patch(
        f"/api/v1/mentorships/{mentorship.pk}/", {"goals": "Updated goals"}, format="json"
    )
    allowed = who in ("contributor", "mentor")  # the mentee, and the mentor (a leader anyway)
    # Another contributor does not see the mentorship at all: 404, as for any record one may not see.
    refused = 404 if who == "other_contributor" else 403
    assert response.status_code == (200 if allowed else refused)
    mentorship.refresh_from_db()
    assert (mentorship.goals == "Updated goals") is allowed
    page = page_client(readers[who]).get(reverse("initiatives:mentorship_edit", args=[mentorship.pk]))
    assert page.status_code == (200 if allowed else refused)


def test_a_contributor_cannot_reassign_their_mentorship(contributor, mentorship):
    other = PersonFactory()
    response = api_client(contributor).patch(f"/api/v1/mentorships/{mentorship.pk}/", {"mentor": other.pk})
    assert response.status_code == 403
    mentorship.refresh_from_db()
    assert mentorship.mentor != other
    form = page_client(contributor).get(reverse("initiatives:mentorship_edit", args=[mentorship.pk])).context["form"]
    assert form.fields["mentor"].disabled and form.fields["mentee"].disabled


def test_a_contributor_edits_goals_through_the_page(contributor, mentorship):
    url = reverse("initiatives:mentorship_edit", args=[mentorship.pk])
    data = mentorship_form(mentorship.mentor, mentorship.mentee, goals="Page goals", version=mentorship.version)
    assert page_client(contributor).post(url, data).status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.goals == "Page goals"


@pytest.mark.parametrize("who", ("contributor", "mentor", "leader", "executive", "other_contributor", "auditor"))
def test_participants_leaders_and_executives_log_sessions(readers, mentorship, who):
    allowed = who in ("contributor", "mentor", "leader", "executive")
    # Another contributor does not see the mentorship: 404 on its page, 400 "no such mentorship" in the API.
    hidden = who == "other_contributor"
    url = reverse("initiatives:mentorshipsession_add", args=[mentorship.pk])
    client = page_client(readers[who])
    assert client.get(url).status_code == (200 if allowed else 404 if hidden else 403)
    page = client.post(url, {"held_on": "2025-03-03", "duration_minutes": 40, "topics": "Page", "private_notes": "n"})
    api = api_client(readers[who]).post(
        "/api/v1/mentorship-sessions/",
        {"mentorship": mentorship.pk, "held_on": "2025-03-04", "topics": "API"},
        format="json",
    )
    assert page.status_code == (302 if allowed else 404 if hidden else 403)
    assert api.status_code == (201 if allowed else 400 if hidden else 403)
    assert MentorshipSession.objects.filter(mentorship=mentorship).count() == (2 if allowed else 0)


def test_a_session_form_shows_field_errors_and_keeps_input(contributor, mentorship):
    url = reverse("initiatives:mentorshipsession_add", args=[mentorship.pk])
    response = page_client(contributor).post(url, {"held_on": "", "duration_minutes": 0, "topics": "Kept topic"})
    assert response.status_code == 200
    assert {"held_on", "duration_minutes"} <= set(response.context["form"].errors)
    assert b"Kept topic" in response.content
    assert not MentorshipSession.objects.exists()


def test_the_api_answers_400_per_field_for_a_bad_session(contributor, mentorship):
    response = api_client(contributor).post(
        "/api/v1/mentorship-sessions/",
        {"mentorship": mentorship.pk, "held_on": "not a date", "duration_minutes": -1},
        format="json",
    )
    assert response.status_code == 400 and {"held_on", "duration_minutes"} <= set(response.json())


def test_a_stale_session_write_is_refused_everywhere(contributor, session):
    client = api_client(contributor)
    etag = client.get(f"/api/v1/mentorship-sessions/{session.pk}/")["ETag"]
    assert (
        client.patch(f"/api/v1/mentorship-sessions/{session.pk}/", {"topics": "First"}, HTTP_IF_MATCH=etag).status_code
        == 200
    )
    stale = client.patch(f"/api/v1/mentorship-sessions/{session.pk}/", {"topics": "Second"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    form = {"held_on": session.held_on.isoformat(), "duration_minutes": 45, "topics": "Third", "version": 1}
    page = page_client(contributor).post(reverse("initiatives:mentorshipsession_edit", args=[session.pk]), form)
    assert page.status_code == 200 and "Someone else changed this record" in page.content.decode()
    session.refresh_from_db()
    assert session.topics == "First"


def test_session_writes_are_in_history_with_actor_and_channel(contributor, mentor, mentorship):
    created = (
        api_client(contributor)
        .post(
            "/api/v1/mentorship-sessions/",
            {"mentorship": mentorship.pk, "held_on": "2025-03-04", "topics": "API"},
            format="json",
        )
        .json()
    )
    session = MentorshipSession.objects.get(pk=created["id"])
    page_client(mentor).post(reverse("initiatives:mentorshipsession_delete", args=[session.pk]), {"version": 1})
    rows = MentorshipSession.history.filter(id=session.pk).order_by("history_id")
    assert [(r.history_type, r.history_user, r.history_channel) for r in rows] == [
        ("+", contributor, "api"),
        ("-", mentor, "web"),
    ]


def test_only_leaders_and_executives_delete_mentorships(contributor, leader, mentorship):
    assert api_client(contributor).delete(f"/api/v1/mentorships/{mentorship.pk}/").status_code == 403
    assert api_client(leader).delete(f"/api/v1/mentorships/{mentorship.pk}/").status_code == 204
    assert not Mentorship.objects.exists()


def test_the_list_shows_my_mentorships_first(contributor, mentorship):
    MentorshipFactory.create_batch(3, start_date=mentorship.start_date.replace(year=mentorship.start_date.year + 1))
    rows = list(page_client(contributor).get(reverse("initiatives:mentorship_list")).context["object_list"])
    assert rows[0] == mentorship and rows[0].is_mine
    mine = api_client(contributor).get("/api/v1/mentorships/", {"mine": "true"}).json()
    assert [m["id"] for m in mine["results"]] == [mentorship.pk]


def test_mentorship_list_page_runs_constant_queries(contributor, mentorship, django_assert_num_queries):
    client = page_client(contributor)
    client.get(reverse("initiatives:mentorship_list"))
    MentorshipSessionFactory(mentorship=mentorship)
    # session, user, roles, person, count, page (people joined, sessions counted), mentor and mentee
    # choices, and Django's own permission tables (2, once) because a contributor may not add
    with django_assert_num_queries(10):
        client.get(reverse("initiatives:mentorship_list"))
    for mentorship in MentorshipFactory.create_batch(8):
        MentorshipSessionFactory.create_batch(2, mentorship=mentorship)
    with django_assert_num_queries(10):
        client.get(reverse("initiatives:mentorship_list"))


def test_mentorship_detail_page_runs_constant_queries(contributor, mentorship, django_assert_num_queries):
    client = page_client(contributor)
    MentorshipSessionFactory(mentorship=mentorship)
    # session, user, roles, mentorship (people joined, sessions counted), Django's permission tables
    # (2, once: a contributor may not delete), person, sessions
    with django_assert_num_queries(8):
        client.get(mentorship.get_absolute_url())
    MentorshipSessionFactory.create_batch(10, mentorship=mentorship)
    with django_assert_num_queries(8):
        client.get(mentorship.get_absolute_url())


def test_session_list_and_export_run_constant_queries(leader, mentorship, django_assert_num_queries):
    client = page_client(leader)
    MentorshipSessionFactory(mentorship=mentorship)
    # session, user, roles, count, page, the mentorship filter's choices, person (for the notes rule),
    # + the user's and the groups' permissions (read once per request) for the navigation's
    # permission-gated entries (Import, Webhooks), added by merged branches
    with django_assert_num_queries(9):
        client.get(reverse("initiatives:mentorshipsession_list"))
    MentorshipSessionFactory.create_batch(10)
    with django_assert_num_queries(9):
        client.get(reverse("initiatives:mentorshipsession_list"))


def test_api_lists_and_details_run_constant_queries(contributor, mentorship, django_assert_num_queries):
    client = api_client(contributor)
    session = MentorshipSessionFactory(mentorship=mentorship)
    # token and user, roles, count, page (+ person for the notes rule on sessions)
    with django_assert_num_queries(4):
        client.get("/api/v1/mentorships/")
    with django_assert_num_queries(5):
        client.get("/api/v1/mentorship-sessions/")
    for other in MentorshipFactory.create_batch(6):
        MentorshipSessionFactory.create_batch(2, mentorship=other)
    with django_assert_num_queries(4):
        client.get("/api/v1/mentorships/")
    with django_assert_num_queries(5):
        client.get("/api/v1/mentorship-sessions/")
    with django_assert_num_queries(3):
        client.get(f"/api/v1/mentorships/{mentorship.pk}/")
    with django_assert_num_queries(4):
        client.get(f"/api/v1/mentorship-sessions/{session.pk}/")


def test_participants_are_people_of_the_mentorship(mentorship, mentor, contributor):
    assert {mentorship.mentor, mentorship.mentee} == {person_of(mentor), person_of(contributor)}


def test_unknown_people_in_filters_and_writes_are_400_without_a_lookup_per_field(leader):
    client = api_client(leader)
    assert client.get("/api/v1/mentorships/", {"mentor": 0, "mentee": 999999}).status_code == 400
    bad = client.post(
        "/api/v1/mentorships/", mentorship_form(PersonFactory(), PersonFactory()) | {"mentor": 0, "mentee": 10**30}
    )
    assert bad.status_code == 400 and {"mentor", "mentee"} <= set(bad.json())
    page = page_client(leader).get(reverse("initiatives:mentorship_list"), {"mentor": 0, "mentee": "x"})
    assert page.status_code == 200
