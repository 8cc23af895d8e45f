"""Recent activity groups repeated changes (one actor, verb and kind of record) into one line, on
the dashboard, the home page and the dashboard API alike, in queries that do not grow with rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative, TrainingAttendance
from initiatives.services import portfolio, team
from leadership.reports.activity import _plural, group_rows, recent_activity
from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory, UserFactory
from tests.factories.team import TrainingFactory
from vpportal.people.models import Person

T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
_ids = iter(range(1, 10_000))


def row(user, verb="+", model="initiatives.trainingattendance", minutes=0, record=None, channel="web"):
    """One audit-trail row as the UNION answers it, `minutes` before T0."""
    history_id = next(_ids)
    return {
        "history_id": history_id,
        "history_date": T0 - datetime.timedelta(minutes=minutes),
        "history_type": verb,
        "history_user_id": user,
        "history_channel": channel,
        "id": record if record is not None else history_id,
        "model": model,
    }


def sizes(groups):
    return [len(group) for group in groups]


# --- the grouping rule, as a pure function ------------------------------------------------------


def test_fifteen_consecutive_creations_by_one_person_are_one_line():
    rows = [row(1, minutes=i) for i in range(15)]
    groups = group_rows(rows)
    assert sizes(groups) == [15]
    assert groups[0][0] is rows[0] and groups[0][-1] is rows[-1]  # newest first, oldest last


@pytest.mark.parametrize(
    "other",
    [
        {"user": 2},  # another actor
        {"verb": "~"},  # another verb
        {"model": "governance.risk"},  # another kind of record
        {"channel": "api"},  # another channel (a line shows one)
        {"user": None},  # the system
    ],
)
def test_a_change_differing_in_actor_verb_kind_or_channel_is_its_own_line(other):
    rows = [row(1, minutes=0), row(**{"user": 1, "minutes": 1, **other}), row(1, minutes=2)]
    # The third joins the first (a repeat within the hour), after the second in between.
    assert sizes(group_rows(rows)) == [2, 1]


def test_repeats_interleaved_with_others_join_their_line_only_within_the_hour():
    rows = [row(1, minutes=0), row(2, minutes=10), row(1, minutes=50), row(2, minutes=55), row(1, minutes=130)]
    groups = group_rows(rows)
    assert sizes(groups) == [2, 2, 1]
    assert [g[0]["history_user_id"] for g in groups] == [1, 2, 1]  # in the order of their newest change


def test_consecutive_changes_stay_one_line_however_far_apart():
    rows = [row(1, minutes=0), row(1, minutes=300), row(1, minutes=3000)]
    assert sizes(group_rows(rows)) == [3]


def test_the_scan_stops_where_a_line_beyond_the_limit_would_start():
    rows = [row(1, minutes=0), row(2, minutes=1), row(3, minutes=2), row(1, minutes=3)]
    groups = group_rows(rows, limit=2)
    # User 3 would start a third line: the scan stops there, so user 1's older change is not
    # counted into the first line (the lines describe exactly the newest rows up to the cut).
    assert sizes(groups) == [1, 1]
    assert group_rows([], limit=2) == []


def test_many_changes_to_one_record_are_one_line_of_that_record():
    groups = group_rows([row(1, verb="~", record=7, minutes=i) for i in range(5)])
    assert sizes(groups) == [5] and {r["id"] for r in groups[0]} == {7}


def test_a_line_counts_records_in_words():
    assert _plural(Initiative, 3) == "3 initiatives"
    assert _plural(Initiative, 1) == "1 initiative"
    # "training attendance" is its own plural: counted in records.
    assert _plural(TrainingAttendance, 15) == "15 training attendance records"


# --- on the pages and the API -------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def grace(db):
    user = UserFactory(username="grace", roles=["leader"])
    PersonFactory(user=user, name="Grace Hopper")
    return user


def seat_a_class(by, n, training=None):
    training = training or TrainingFactory(capacity=None)
    for person in PersonFactory.create_batch(n):
        team.attendance_create(by=by, data={"training": training, "person": person, "status": "registered"})
    return training


@pytestmark_db
def test_grace_seating_fifteen_people_is_one_line_linking_to_the_training(grace, executive):
    owner = Person.objects.of_user(grace)
    portfolio.initiative_create(by=grace, data={"title": "Before the class", "owner": owner})
    training = seat_a_class(grace, 15)
    lines = recent_activity(executive)
    first = lines[0]
    assert (first.actor, first.action, first.count, first.records) == ("Grace Hopper", "created", 15, 15)
    assert first.label == "15 training attendance records"
    assert first.url == training.get_absolute_url()  # no list of seats: the records' page
    assert first.since < first.when and first.channel == "system"
    initiative = Initiative.objects.get()
    assert [(line.actor, line.url) for line in lines if line.label == str(initiative)] == [
        ("Grace Hopper", initiative.get_absolute_url())
    ]


@pytestmark_db
def test_a_line_of_several_records_links_to_their_list_filtered_to_the_changes(grace, executive):
    owner = Person.objects.of_user(grace)
    PersonFactory.create_batch(2)  # older changes: not in the filtered list
    created = [portfolio.initiative_create(by=grace, data={"title": f"New {i}", "owner": owner}) for i in range(3)]
    line = recent_activity(executive)[0]
    assert (line.label, line.records) == ("3 initiatives", 3)
    assert line.url.startswith(reverse("initiatives:initiative_list") + "?updated_after=")
    listed = page_client(executive).get(line.url).context["object_list"]
    assert {i.pk for i in listed} == {i.pk for i in created}


def _reads_of(table, reader):
    """The statements of recent_activity(reader) that read `table` itself (not its history)."""
    with CaptureQueriesContext(connection) as context:
        lines = recent_activity(reader)
    return lines, [q["sql"] for q in context.captured_queries if f'FROM "{table}"' in q["sql"]]


@pytestmark_db
def test_only_a_line_that_shows_one_record_reads_it(grace, executive):
    owner = Person.objects.of_user(grace)
    created = [portfolio.initiative_create(by=grace, data={"title": f"New {i}", "owner": owner}) for i in range(3)]
    table = Initiative._meta.db_table
    lines, reads = _reads_of(table, executive)
    assert (lines[0].label, lines[0].records) == ("3 initiatives", 3)
    assert reads == []  # its label is the count, its link the list: no record read
    portfolio.initiative_update(created[0], by=grace, data={"title": "Renamed"})
    lines, reads = _reads_of(table, executive)
    assert (lines[0].label, lines[0].action, lines[0].url) == (
        f"{created[0].key} Renamed",
        "changed",
        created[0].get_absolute_url(),
    )
    assert len(reads) == 1  # the one record the line shows


@pytestmark_db
def test_the_dashboard_home_and_api_show_the_grouped_line_once(grace, executive):
    seat_a_class(grace, 15)
    for url in (reverse("dashboard"), reverse("home")):
        body = page_client(executive).get(url).content.decode()
        assert body.count("15 training attendance records") == 1, url
        assert "Grace Hopper" in body and body.count('data-testid="activity-line"') <= 15
        assert "created training attendance <a" not in body  # no line per seat
    data = api_client(executive).get("/api/v1/dashboard/").json()["recent_activity"]
    assert (data[0]["user"], data[0]["count"], data[0]["records"]) == ("grace", 15, 15)


def _queries(reader):
    with CaptureQueriesContext(connection) as context:
        recent_activity(reader)
    return len(context)


@pytestmark_db
def test_the_queries_do_not_grow_with_the_rows_grouped(grace, executive):
    training = seat_a_class(grace, 5)
    recent_activity(executive)  # warm the per-process caches (content types)
    few = _queries(executive)
    seat_a_class(grace, 40, training)  # the same lines, eight times the rows
    assert recent_activity(executive)[0].count == 45
    assert _queries(executive) == few
