"""`GET /api/v1/events/?after=<id>`: oldest first, `limit`, `next` carrying the last id, filters,
visibility per reader, private notes only for their readers, commit order on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections, transaction

from governance.models import Risk
from governance.services.risks import aisystem_create
from initiatives.models import MentorshipSession
from initiatives.services.team import session_create
from tests.conftest import api_client
from tests.factories.risks import RiskFactory
from vpportal.events.models import Event
from vpportal.events.outbox import record_event

pytestmark = pytest.mark.django_db

SECRET = "SECRET-NOTE-BETA"


def emit(n, by, type_="risk.updated"):
    risks = RiskFactory.create_batch(n)
    return [record_event(r, type_, by=by) for r in risks]


def test_the_feed_pages_oldest_first_and_next_carries_the_last_id(auditor, executive):
    events = emit(5, executive)
    client = api_client(auditor)
    first = client.get("/api/v1/events/?limit=2").json()
    assert [e["id"] for e in first["results"]] == [e.pk for e in events[:2]]
    assert first["has_more"] is True
    assert f"after={events[1].pk}" in first["next"]
    second = client.get(first["next"]).json()
    assert [e["id"] for e in second["results"]] == [e.pk for e in events[2:4]]
    third = client.get(second["next"]).json()
    assert [e["id"] for e in third["results"]] == [events[4].pk]
    assert third["has_more"] is False
    empty = client.get(third["next"]).json()
    assert empty["results"] == [] and f"after={events[4].pk}" in empty["next"]  # poll again later
    shown = first["results"][0]
    assert set(shown) == {"id", "type", "object_type", "object_id", "actor", "channel", "occurred_at", "data"}
    assert (shown["type"], shown["object_type"], shown["actor"]) == ("risk.updated", "governance.risk", executive.pk)


def test_filters_by_type_pattern_object_type_and_object_id(auditor, executive):
    risks = emit(2, executive)
    accepted = record_event(Risk.objects.get(pk=risks[0].object_id), "risk.accepted", by=executive)
    system = aisystem_create(by=executive, data={"name": "Scorer", "kind": "classifier"})
    client = api_client(auditor)

    def ids(query):
        response = client.get(f"/api/v1/events/?{query}")
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["results"]]

    system_event = Event.objects.get(object_type="governance.aisystem").pk
    assert ids("type=risk.*") == [risks[0].pk, risks[1].pk, accepted.pk]
    assert ids("type=*.accepted") == [accepted.pk]
    assert ids("type=risk.accepted,ai_system.*") == [accepted.pk, system_event]
    assert ids("object_type=governance.aisystem") == [system_event]
    assert ids(f"object_type=governance.risk&object_id={risks[0].object_id}") == [risks[0].pk, accepted.pk]
    assert system.pk


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "limit=1001", "type=risk.%3B", "object_id=y"])
def test_bad_parameters_answer_400(auditor, query):
    response = api_client(auditor).get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_anonymous_gets_401_and_someone_without_a_role_403(outsider):
    assert api_client().get("/api/v1/events/").status_code == 401
    assert api_client(outsider).get("/api/v1/events/").status_code == 403


def test_a_page_costs_the_same_queries_for_any_number_of_events(auditor, executive, django_assert_num_queries):
    emit(3, executive)
    client = api_client(auditor)
    client.get("/api/v1/events/")  # token and role look-ups warmed like any request
    with django_assert_num_queries(3) as few:
        client.get("/api/v1/events/")
    emit(30, executive)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/events/").json()["results"]) == 33


@pytest.mark.parametrize("who", ["executive", "mentor", "contributor", "leader", "governance", "auditor"])
def test_private_notes_reach_only_their_readers(readers, mentorship, who):
    session = session_create(
        by=readers["mentor"],
        data={"mentorship": mentorship, "held_on": "2025-01-10", "topics": "Growth", "private_notes": SECRET},
    )
    assert MentorshipSession.objects.get(pk=session.pk).private_notes == SECRET
    response = api_client(readers[who]).get("/api/v1/events/?object_type=initiatives.mentorshipsession")
    (event,) = response.json()["results"]
    assert event["data"]["topics"] == "Growth"
    may_read = who in ("executive", "mentor", "contributor")
    assert (SECRET in response.content.decode()) is may_read
    assert ("private_notes" in event["data"]) is may_read


def test_events_of_records_a_reader_may_not_see_are_left_out(readers, mentorship, monkeypatch):
    """A model whose `visible_to` filters rows: its events follow the same rule (here: sessions only
    for the participants of their mentorship)."""
    from django.db.models import Q

    from initiatives.querysets import MentorshipSessionQuerySet
    from vpportal.people.models import Person

    mine = session_create(by=readers["mentor"], data={"mentorship": mentorship, "held_on": "2025-01-10"})
    original = MentorshipSessionQuerySet.visible_to

    def participants_only(self, user):
        person = Person.objects.of_user(user)
        return original(self, user).filter(Q(mentorship__mentor=person) | Q(mentorship__mentee=person))

    monkeypatch.setattr(MentorshipSessionQuerySet, "visible_to", participants_only)
    query = "/api/v1/events/?object_type=initiatives.mentorshipsession"
    assert [e["object_id"] for e in api_client(readers["mentor"]).get(query).json()["results"]] == [mine.pk]
    assert api_client(readers["other_contributor"]).get(query).json()["results"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers itself")
@pytest.mark.django_db(transaction=True)
def test_a_reader_never_sees_an_event_before_an_earlier_one_still_committing(executive, auditor):
    """Transaction A records event 11 and stays open; B records its event and tries to commit.
    While A is open, a reader must not see B's event (it would then see 11 appear behind it)."""
    risks = RiskFactory.create_batch(2)
    a_recorded, a_may_commit, b_done = threading.Event(), threading.Event(), threading.Event()
    ids = {}

    def writer(name, risk, before=None, hold=None):
        try:
            if before:
                before.wait(10)
            with transaction.atomic():
                ids[name] = record_event(risk, "risk.updated", by=executive).pk
                if hold:
                    a_recorded.set()
                    hold.wait(10)
        finally:
            connections.close_all()
        if name == "b":
            b_done.set()

    a = threading.Thread(target=writer, args=("a", risks[0]), kwargs={"hold": a_may_commit})
    b = threading.Thread(target=writer, args=("b", risks[1]), kwargs={"before": a_recorded})
    a.start()
    b.start()
    a_recorded.wait(10)
    b_done.wait(2)  # B would have committed by now if nothing held it back
    seen_while_a_open = list(Event.objects.values_list("pk", flat=True))
    a_may_commit.set()
    a.join(10)
    b.join(10)
    assert seen_while_a_open == []
    assert ids["a"] < ids["b"]
    feed = api_client(auditor).get("/api/v1/events/").json()["results"]
    assert [e["id"] for e in feed] == [ids["a"], ids["b"]]


def test_readers_of_the_same_roles_share_the_verdicts_but_not_their_own_records(readers, mentorship):
    """The feed decides each model's everything-or-nothing once per role set (vpportal/events/
    querysets.py, `_VERDICTS`); what depends on the reader (a contributor's own mentorships and
    their sessions) is still asked per reader, whoever of the same roles asked first."""
    from vpportal.events import querysets

    mine = session_create(by=readers["mentor"], data={"mentorship": mentorship, "held_on": "2025-01-10"})
    query = "/api/v1/events/?object_type=initiatives.mentorshipsession"
    assert api_client(readers["other_contributor"]).get(query).json()["results"] == []
    decided = len(querysets._VERDICTS)
    assert [e["object_id"] for e in api_client(readers["contributor"]).get(query).json()["results"]] == [mine.pk]
    assert api_client(readers["other_contributor"]).get(query).json()["results"] == []
    assert len(querysets._VERDICTS) == decided  # both contributors read the same verdicts
    auditor_sees = api_client(readers["auditor"]).get(query).json()["results"]
    assert [e["object_id"] for e in auditor_sees] == [mine.pk]
    assert len(querysets._VERDICTS) == decided + 1  # another role set: decided for it


def test_a_reader_s_verdicts_match_each_model_s_own_visible_to(readers, mentorship):
    """The cached verdicts are what every model's `visible_to` answers for each reader."""
    from vpportal.events.querysets import _verdicts, tracked_models, visibility

    for user in readers.values():
        for _ in range(2):  # computed, then read from the cache
            expected = []
            for model in tracked_models():
                restriction = visibility(model, user)
                expected.append((model, restriction if restriction in ("all", "none") else "some"))
            assert _verdicts(user) == expected, user
