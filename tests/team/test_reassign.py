"""A session's private notes belong to the mentor and mentee who took part in it (recorded with the
session), not to whoever the mentorship's participants are later. Changing the participants of a
mentorship with sessions is its own action (`reassign`: leaders and executives, never the
participants themselves) and never opens earlier notes to the newcomer, in any channel."""

import pytest
from django.urls import reverse

from initiatives.models import MentorshipSession
from initiatives.services import team as services
from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory

from .conftest import person_of

pytestmark = pytest.mark.django_db

SECRET = "SECRET-NOTE-ALPHA"


def test_a_logged_session_records_who_took_part(mentorship, contributor):
    session = services.session_create(by=contributor, data={"mentorship": mentorship, "held_on": "2025-02-02"})
    assert (session.held_mentor_id, session.held_mentee_id) == (mentorship.mentor_id, mentorship.mentee_id)


def test_participants_of_a_mentorship_with_sessions_change_only_through_reassign(leader, mentorship, session):
    me = person_of(leader)
    client = api_client(leader)
    patched = client.patch(f"/api/v1/mentorships/{mentorship.pk}/", {"mentor": me.pk}, format="json")
    assert patched.status_code == 400 and "Reassign" in patched.json()["mentor"][0]
    mentorship.refresh_from_db()
    assert mentorship.mentor_id != me.pk
    # Through the admin and the edit page the same service says the same.
    page = page_client(leader).get(reverse("initiatives:mentorship_edit", args=[mentorship.pk]))
    assert page.context["form"].fields["mentor"].disabled


def test_a_leader_who_reassigns_themselves_reads_no_earlier_note_in_any_channel(leader, mentorship, session):
    me = person_of(leader)
    client = api_client(leader)
    answer = client.post(f"/api/v1/mentorships/{mentorship.pk}/reassign/", {"mentor": me.pk}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["mentor"] == me.pk
    session.refresh_from_db()
    assert session.held_mentor_id != me.pk  # the session keeps who was there
    detail = client.get(f"/api/v1/mentorship-sessions/{session.pk}/").json()
    assert "private_notes" not in detail
    assert MentorshipSession.objects.visible_to(leader).values_list("private_notes", flat=True).get() == ""
    pages = page_client(leader)
    for url in (
        mentorship.get_absolute_url(),
        reverse("initiatives:mentorshipsession_history", args=[session.pk]),
        reverse("initiatives:mentorshipsession_edit", args=[session.pk]),
        f"{reverse('initiatives:mentorshipsession_list')}?export=csv",
    ):
        response = pages.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET.encode() not in content, url
    audit = client.get("/api/v1/audit/", {"model": "initiatives.mentorshipsession"}).content.decode()
    assert SECRET not in audit
    # A session logged from now on is the new mentor's to read; the earlier mentor keeps the old ones.
    later = services.session_create(
        by=leader, data={"mentorship": mentorship, "held_on": "2025-03-03", "private_notes": "LATER-NOTE"}
    )
    assert client.get(f"/api/v1/mentorship-sessions/{later.pk}/").json()["private_notes"] == "LATER-NOTE"


def test_the_earlier_mentor_keeps_reading_the_sessions_they_held(executive, mentor, mentorship, session):
    newcomer = PersonFactory()
    services.mentorship_reassign(mentorship, by=executive, data={"mentor": newcomer})
    detail = api_client(mentor).get(f"/api/v1/mentorship-sessions/{session.pk}/").json()
    assert detail["private_notes"] == SECRET


def test_participants_may_not_reassign(contributor, mentor, mentorship, session):
    other = PersonFactory()
    answer = api_client(contributor).post(
        f"/api/v1/mentorships/{mentorship.pk}/reassign/", {"mentee": other.pk}, format="json"
    )
    assert answer.status_code == 403
    page = page_client(contributor).get(reverse("initiatives:mentorship_reassign", args=[mentorship.pk]))
    assert page.status_code == 403
    mentorship.refresh_from_db()
    assert mentorship.mentee_id != other.pk


def test_the_reassign_page_changes_participants_keeps_input_on_errors_and_is_in_history(leader, mentorship, session):
    client = page_client(leader)
    url = reverse("initiatives:mentorship_reassign", args=[mentorship.pk])
    same = client.post(url, {"mentor": mentorship.mentee_id, "mentee": mentorship.mentee_id, "version": 1})
    assert same.status_code == 200 and same.context["form"].errors
    newcomer = PersonFactory()
    done = client.post(url, {"mentor": newcomer.pk, "mentee": mentorship.mentee_id, "version": 1})
    assert done.status_code == 302, done.context["form"].errors
    mentorship.refresh_from_db()
    assert mentorship.mentor_id == newcomer.pk and mentorship.version == 2
    assert mentorship.history.first().history_user == leader
    stale = client.post(url, {"mentor": mentorship.mentee_id, "mentee": newcomer.pk, "version": 1})
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()


def test_a_reassignment_changes_nothing_but_the_participants(executive, mentorship):
    answer = api_client(executive).post(f"/api/v1/mentorships/{mentorship.pk}/reassign/", {"goals": "x"}, format="json")
    assert answer.status_code == 400
