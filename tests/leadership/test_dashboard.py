"""The dashboard: every figure equals the count of the list it links to (the same FilterSet), the
API answers the same figures, the query count stays constant as data grows, and only people with
a role see it."""

import datetime
import pickle

import pytest
from django.core.cache import cache
from django.urls import reverse

from leadership.dashboard.metrics import as_data, dashboard, dashboard_data
from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory
from tests.leadership.conftest import build_world

pytestmark = pytest.mark.django_db


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def test_each_figure_equals_the_count_of_the_list_it_links_to(world, executive):
    board = dashboard(executive)
    client = page_client(executive)
    figures = board.figures()
    assert {f.key for f in figures} >= {
        "initiatives",
        "initiatives.pilot.at_risk",
        "initiatives.health.off_track",
        "kpis.red",
        "kpis.grey",
        "overdue.milestones",
        "overdue.mitigations",
        "overdue.risk_reviews",
        "overdue.policy_reviews",
        "policies.in_review",
        "ai_literacy.uncovered",
    }
    assert any(f.count for f in figures if f.key.startswith("overdue."))
    for figure in figures:
        assert _list_count(client, figure.url) == figure.count, figure.key


def test_each_heat_map_cell_equals_the_count_of_the_risk_list_it_links_to(world, executive):
    client = page_client(executive)
    for heat_map in dashboard(executive).heat_maps:
        cells = [c for _, row in heat_map["rows"] for c in row]
        assert sum(c.count for c in cells) == heat_map["total"] > 0
        for cell in cells:
            if cell.count:  # empty cells: the same FilterSet, proven by the risk area's own tests
                assert _list_count(client, cell.url) == cell.count, (heat_map["code"], cell)


def test_the_kpi_figures_count_each_status_once(world, executive):
    board = dashboard(executive)
    counts = {f.key: f.count for f in board.kpi_status}
    assert counts == {"kpis.red": 1, "kpis.amber": 0, "kpis.grey": 1, "kpis.green": 1}
    assert [k.status for k in board.kpi_sparklines][:2] == ["red", "grey"]  # worst first
    red = board.kpi_sparklines[0]
    assert red.sparkline is not None and len(red.sparkline.points.split()) == 3


def test_policies_to_acknowledge_are_the_signed_in_persons(world, contributor):
    board = dashboard(contributor)
    assert len(board.my_acknowledgements) == board.my_acknowledgements_figure.count >= 1
    assert board.acknowledgement_rate == 0


def test_the_api_answers_the_same_figures_as_the_page(world, executive):
    response = api_client(executive).get("/api/v1/dashboard/")
    assert response.status_code == 200
    data = response.json()
    expected = as_data(dashboard(executive))
    for key in ("initiatives", "kpis", "risk_heat_maps", "overdue", "policies", "ai_literacy", "framework_coverage"):
        assert data[key] == expected[key], key
    assert data["overdue"]["mitigations"]["url"].endswith("overdue=true")
    # Recent activity is grouped (repeated changes in one line): the same lines as the page.
    lines = data["recent_activity"]
    assert 0 < len(lines) <= 15 and len(lines) == len(expected["recent_activity"])
    assert [(e["label"], e["count"]) for e in lines] == [(e["label"], e["count"]) for e in expected["recent_activity"]]
    assert any(e["count"] > 1 for e in lines)


def test_the_page_links_every_figure(world, leader):
    body = page_client(leader).get(reverse("dashboard")).content.decode()
    for figure in dashboard(leader).figures():
        assert figure.url.replace("&", "&amp;") in body, figure.key
    assert "Recent activity" in body and "heat-residual-2-4" in body


# Session, user, roles and person (4), initiatives matrix (1), KPI statuses with the worst KPIs'
# records, and their sparklines (2), both heat maps (1), the overdue figures, policies awaiting
# approval, incidents, the acknowledgement rate and the AI-literacy counts (1), the pending incident
# reports (1), the reader's acknowledgements (1), frameworks (1), recent activity (the union with its users,
# and one per model among the lines that show one record, with only the joins their labels need:
# a line of several records names their count and links to their list, reading none), and DRF/knox
# or the page's own lookups; the API reads its token with the user at once (one query less than
# the page's session and user).
DASHBOARD_QUERIES = {"page": 17, "api": 16}  # with the history watermark the cache key needs


@pytest.mark.parametrize("channel", ["page", "api"])
def test_the_query_count_does_not_grow_with_the_data(executive, channel, django_assert_num_queries):
    owner = PersonFactory()
    build_world(1, owner=owner)
    client = page_client(executive) if channel == "page" else api_client(executive)
    url = reverse("dashboard") if channel == "page" else "/api/v1/dashboard/"
    client.get(url)  # warm caches (content types)
    cache.clear()  # measure the computed dashboard, not the reused one
    with django_assert_num_queries(DASHBOARD_QUERIES[channel]):
        assert client.get(url).status_code == 200
    build_world(4, owner=owner)
    cache.clear()
    # Five times the records: one query less, as one more kind of record (the policies, one per
    # copy of the world) now has a line of several records, which reads none of them (its label
    # is their count, its link their list).
    with django_assert_num_queries(DASHBOARD_QUERIES[channel] - 1):
        assert client.get(url).status_code == 200


def test_an_unchanged_dashboard_is_reused_and_any_change_through_the_app_refreshes_it(
    executive, leader, django_assert_num_queries
):
    from initiatives.services import portfolio

    owner = PersonFactory()
    build_world(1, owner=owner)
    first = as_data(dashboard(executive))
    first_day = datetime.date.fromisoformat(first["today"])
    with django_assert_num_queries(1):  # the history watermark only
        assert as_data(dashboard(executive)) == first
    # The API's answer: computed once, then reused as plain data (no dashboard objects to unpickle).
    assert dashboard_data(executive) == first
    with django_assert_num_queries(1):
        assert dashboard_data(executive) == first
    portfolio.initiative_create(by=leader, data={"title": "One more", "owner": owner})
    refreshed = as_data(dashboard(executive))
    assert refreshed["initiatives"]["total"]["count"] == first["initiatives"]["total"]["count"] + 1
    # Each reader has their own (their acknowledgements differ), and a new day is a new dashboard:
    # both are computed (a request's session and token look-ups aside, the same queries).
    with django_assert_num_queries(15):
        dashboard(leader)
    with django_assert_num_queries(14):
        dashboard(executive, today=first_day + datetime.timedelta(days=1))


def test_the_reused_dashboard_carries_no_login(world, executive, contributor):
    # Its records remember their reader (private columns read later stay masked); the cache, shared
    # between servers on Redis, gets what the masks need, not the login with its password hash.
    for user, reads_everything in ((executive, True), (contributor, False)):
        board = dashboard(user)
        readers = [record._private_reader for record in [*board.kpi_sparklines, *board.my_acknowledgements]]
        assert readers and all((r.user, r.reads_everything) == (user, reads_everything) for r in readers)
        stored = pickle.dumps(board)
        assert user.password.encode() not in stored and user.username.encode() not in stored
        loaded = pickle.loads(stored)
        kept = [record._private_reader for record in [*loaded.kpi_sparklines, *loaded.my_acknowledgements]]
        assert [(r.user, r.reads_everything) for r in kept] == [(None, reads_everything)] * len(readers)
        if not reads_everything:  # a private column is masked for this person
            assert {r.person_id for r in kept} == {user.person.pk}


@pytest.mark.parametrize("days", [0, 45, 400])
def test_the_statements_compiled_once_give_the_numbers_of_the_querysets_they_come_from(
    world, executive, monkeypatch, days
):
    """Issue 23: for a reader who sees every row, the reads whose SQL does not depend on the reader
    are compiled once per process and later days and times are bound into them; every figure must
    equal the one built from the querysets on each call (the path of any other reader)."""
    from governance import querysets as governance_reads
    from initiatives import querysets as initiative_reads
    from leadership.dashboard import metrics
    from vpportal.core.models import TrackedQuerySet

    today = datetime.date.today() + datetime.timedelta(days=days)
    compiled = [as_data(metrics.compute_dashboard(executive, today)) for _ in range(2)]  # derive, then bind
    statements = [
        metrics._COUNTS,
        metrics._INITIATIVE_COUNTS,
        metrics._FRAMEWORKS,
        metrics._INCIDENT_DEADLINES,
        initiative_reads._STATUS_OVERVIEW_RECORDS,
        governance_reads._HEAT_MAP_COUNTS,
    ]
    assert all(any(s.compiled_for(using, *fixed) for using, fixed in s._templates) for s in statements)
    with monkeypatch.context() as patched:
        patched.setattr(TrackedQuerySet, "reads_every_row", lambda self: False)
        built = as_data(metrics.compute_dashboard(executive, today))
    assert compiled[0] == compiled[1] == built
    assert built["kpis"]["by_status"]["red"]["count"] and built["framework_coverage"] is not None


def test_leaders_and_executives_start_on_the_dashboard(world, leader, contributor):
    body = page_client(leader).get(reverse("home")).content.decode()
    assert "Welcome, Leader Persona" in body and "Initiatives by stage and health" in body
    body = page_client(contributor).get(reverse("home")).content.decode()
    assert "Welcome, Contributor Persona" in body and "Initiatives by stage and health" not in body


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("executive", 200),
        ("leader", 200),
        ("governance", 200),
        ("contributor", 200),
        ("auditor", 200),
        ("outsider", 403),
    ],
)
def test_every_role_may_open_the_dashboard_page_and_api(personas, persona, status):
    assert page_client(personas[persona]).get(reverse("dashboard")).status_code == status
    assert api_client(personas[persona]).get("/api/v1/dashboard/").status_code == status


def test_anonymous_visitors_are_refused(db):
    assert page_client().get(reverse("dashboard")).status_code == 302
    assert api_client().get("/api/v1/dashboard/").status_code == 401


@pytest.mark.parametrize("limit", [1, 15, 1000])
def test_recent_activity_is_the_newest_events_of_the_audit_union(world, executive, limit):
    """The dashboard runs the audit trail's UNION compiled once; it must read exactly what the
    queryset reads, values and types alike (aware datetimes on SQLite too)."""
    from leadership.reports.audit_trail import build_events, event_rows, recent_events

    expected = build_events(event_rows()[:limit], executive)
    events = recent_events(executive, limit)
    assert events == expected and len(events) == min(limit, event_rows().count())
    assert all(e.when.tzinfo is not None for e in events)
