"""For a contributor, other people's mentorships and their sessions do not exist, in any channel:
web list, detail, forms, history, CSV/XLSX exports, search and filters, API (list, detail, writes,
filters), the audit API, the dashboard's recent activity, the executive report's figures and the
admin. Their own mentorships (as mentor or mentee) they see as before; every other role sees all."""

import pytest
from django.urls import reverse

from initiatives.models import MentorshipSession
from tests.conftest import api_client, page_client
from tests.factories.team import MentorshipFactory, MentorshipSessionFactory

from .conftest import person_of

pytestmark = pytest.mark.django_db

GOALS = "Lead a production model launch."  # the factory's goals, on the other pair's mentorship


@pytest.fixture
def others(mentorship, session, other_contributor):
    """The other contributor's own mentorship, beside the pair (mentor, contributor) they are not in."""
    own = MentorshipFactory(mentee=person_of(other_contributor), goals="OWN-GOALS")
    MentorshipSessionFactory(mentorship=own, topics="OWN-TOPIC")
    return own


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_web_lists_exports_and_search_leave_other_peoples_mentorships_out(others, mentorship, other_contributor):
    client = page_client(other_contributor)
    listing = client.get(reverse("initiatives:mentorship_list"))
    assert [m.pk for m in listing.context["object_list"]] == [others.pk]
    sessions = client.get(reverse("initiatives:mentorshipsession_list"))
    assert [s.mentorship_id for s in sessions.context["object_list"]] == [others.pk]
    assert "Career paths" not in body(sessions)
    for name in ("initiatives:mentorship_list", "initiatives:mentorshipsession_list"):
        for fmt in ("csv", "xlsx"):
            export = client.get(reverse(name), {"export": fmt})
            assert export.status_code == 200
            text = body(export) if fmt == "csv" else _xlsx_text(export)
            assert str(mentorship.mentor) not in text and "Career paths" not in text
            assert "OWN" in text
    found = client.get(reverse("initiatives:mentorship_list"), {"q": "production model"})
    assert list(found.context["object_list"]) == []
    # The session list's filter offers only the mentorships they see, and refuses the others' id.
    choices = client.get(reverse("initiatives:mentorshipsession_list")).context["filter"].form
    assert list(choices.fields["mentorship"].queryset) == [others]
    hidden = client.get(reverse("initiatives:mentorshipsession_list"), {"mentorship": mentorship.pk})
    unknown = client.get(reverse("initiatives:mentorshipsession_list"), {"mentorship": 999999})
    assert list(hidden.context["object_list"]) == list(unknown.context["object_list"])  # as if it did not exist


def _xlsx_text(response) -> str:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


def test_pages_of_other_peoples_mentorships_and_sessions_answer_404(others, mentorship, session, other_contributor):
    client = page_client(other_contributor)
    urls = [
        mentorship.get_absolute_url(),
        reverse("initiatives:mentorship_edit", args=[mentorship.pk]),
        reverse("initiatives:mentorship_history", args=[mentorship.pk]),
        reverse("initiatives:mentorshipsession_add", args=[mentorship.pk]),
        reverse("initiatives:mentorshipsession_edit", args=[session.pk]),
        reverse("initiatives:mentorshipsession_delete", args=[session.pk]),
        reverse("initiatives:mentorshipsession_history", args=[session.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(others.get_absolute_url()).status_code == 200


def test_the_api_answers_as_if_other_peoples_mentorships_did_not_exist(others, mentorship, session, other_contributor):
    client = api_client(other_contributor)
    assert [m["id"] for m in client.get("/api/v1/mentorships/").json()["results"]] == [others.pk]
    sessions = client.get("/api/v1/mentorship-sessions/").json()
    assert {s["mentorship"] for s in sessions["results"]} == {others.pk} and sessions["count"] == 1
    assert client.get("/api/v1/mentorship-sessions/", {"mentorship": mentorship.pk}).status_code == 400
    assert client.get("/api/v1/mentorships/", {"search": "production model"}).json()["count"] == 0
    for url in (f"/api/v1/mentorships/{mentorship.pk}/", f"/api/v1/mentorship-sessions/{session.pk}/"):
        assert client.get(url).status_code == 404
        assert client.patch(url, {"topics": "x", "goals": "x"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
    # Logging a session on it: the mentorship "does not exist" (400), not "forbidden" (403).
    created = client.post(
        "/api/v1/mentorship-sessions/",
        {"mentorship": mentorship.pk, "held_on": "2025-01-10", "topics": "x"},
        format="json",
    )
    assert created.status_code == 400 and "mentorship" in created.json()
    assert MentorshipSession.objects.filter(mentorship=mentorship).count() == 1


def test_the_audit_feed_and_recent_activity_leave_their_history_out(others, mentorship, session, other_contributor):
    events = api_client(other_contributor).get("/api/v1/audit/", {"limit": 200}).json()["results"]
    team = {(e["model"], e["object_id"]) for e in events if e["model"].startswith("initiatives.mentorship")}
    own_sessions = set(MentorshipSession.objects.filter(mentorship=others).values_list("pk", flat=True))
    assert team == {("initiatives.mentorship", others.pk)} | {
        ("initiatives.mentorshipsession", s) for s in own_sessions
    }
    from leadership.reports.audit_trail import recent_events

    recent = {(e.model, e.object_id) for e in recent_events(other_contributor, 50)}
    assert ("initiatives.mentorship", mentorship.pk) not in recent
    assert ("initiatives.mentorshipsession", session.pk) not in recent
    assert ("initiatives.mentorship", others.pk) in recent
    # A deleted session of the others does not come back as "deleted" either.
    session_pk = session.pk
    session.delete()
    events = api_client(other_contributor).get("/api/v1/audit/", {"model": "initiatives.mentorshipsession"}).json()
    assert session_pk not in {e["object_id"] for e in events["results"]}


def test_the_report_counts_only_the_mentorships_they_see(others, mentorship, other_contributor, leader):
    from leadership.reports.executive import report_data

    assert report_data(other_contributor)["active_mentorships"] == 1
    assert report_data(leader)["active_mentorships"] == 2


def test_a_staff_contributor_finds_nothing_of_others_in_the_admin(others, mentorship, session, other_contributor):
    other_contributor.is_staff = True
    other_contributor.save()
    client = page_client(other_contributor)
    changelist = client.get(reverse("admin:initiatives_mentorship_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [others]
    for name, pk in (("mentorship", mentorship.pk), ("mentorshipsession", session.pk)):
        response = client.get(reverse(f"admin:initiatives_{name}_change", args=[pk]))
        assert response.status_code in (302, 404)  # the admin's "does not exist" (redirect with a message)
        assert GOALS not in body(client.get(reverse(f"admin:initiatives_{name}_history", args=[pk])))


@pytest.mark.parametrize("who", ("executive", "leader", "governance", "auditor"))
def test_every_other_role_sees_every_mentorship(readers, others, mentorship, who):
    client = api_client(readers[who])
    assert client.get("/api/v1/mentorships/").json()["count"] == 2
    assert client.get("/api/v1/mentorship-sessions/").json()["count"] == 2
    assert client.get(f"/api/v1/mentorships/{mentorship.pk}/").status_code == 200


def test_participants_see_their_mentorship(others, mentorship, contributor, mentor):
    for user in (contributor, mentor):
        assert api_client(user).get(f"/api/v1/mentorships/{mentorship.pk}/").status_code == 200
    assert [m["id"] for m in api_client(contributor).get("/api/v1/mentorships/").json()["results"]] == [mentorship.pk]


def test_the_event_feed_admin_autocomplete_and_reassign_leave_them_out(
    others, mentorship, session, other_contributor, executive
):
    """The remaining routes to a record: the change feed (with the real `visible_to`, no stand-in),
    the admin's autocomplete of a session's mentorship, and the reassign action."""
    writer = api_client(executive)  # changes through the services: each one an event
    for record in (mentorship, others):
        assert (
            writer.patch(f"/api/v1/mentorships/{record.pk}/", {"focus_areas": "Feed"}, format="json").status_code == 200
        )
    assert (
        writer.patch(f"/api/v1/mentorship-sessions/{session.pk}/", {"topics": "Feed"}, format="json").status_code == 200
    )
    client = api_client(other_contributor)
    feed = client.get("/api/v1/events/", {"limit": 500}).json()["results"]
    seen = {(e["object_type"], e["object_id"]) for e in feed}
    assert ("initiatives.mentorship", mentorship.pk) not in seen
    assert ("initiatives.mentorshipsession", session.pk) not in seen
    assert ("initiatives.mentorship", others.pk) in seen
    assert GOALS not in str(feed)
    reassign = client.post(
        f"/api/v1/mentorships/{mentorship.pk}/reassign/", {"mentor": others.mentor_id}, format="json"
    )
    assert reassign.status_code == 404
    other_contributor.is_staff = True
    other_contributor.save()
    found = page_client(other_contributor).get(
        "/admin/autocomplete/",
        {"app_label": "initiatives", "model_name": "mentorshipsession", "field_name": "mentorship", "term": ""},
    )
    if found.status_code == 200:  # the admin may also refuse the lookup outright (403)
        assert {int(r["id"]) for r in found.json()["results"]} <= {others.pk}
    else:
        assert found.status_code == 403
