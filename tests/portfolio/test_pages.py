"""Portfolio pages: who may see and do what, forms that keep input, the gate on the page, CSV,
and constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import gate
from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from tests.conftest import PERSONAS, page_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = ("executive", "leader")
MEASURERS = ("executive", "leader", "contributor")


def initiative_form(owner, **overrides):
    data = {
        "title": "Invoice anomaly detection",
        "summary": "Flag odd invoices before payment.",
        "stage": "idea",
        "health": "on_track",
        "priority": 2,
        "owner": owner.pk,
        "partner_functions": ["finance", "legal"],
        "tags": "anomaly, Finance Ops",
        "start_date": "2025-01-01",
        "target_date": "2025-06-30",
        "currency": "EUR",
    }
    return data | overrides


@pytest.mark.parametrize("role", PERSONAS)
def test_each_role_reads_portfolio_pages_only_with_a_role(personas, role):
    kpi = KPIFactory()
    MilestoneFactory(initiative=kpi.initiative)
    client = page_client(personas[role])
    expected = 200 if role in READERS else 403
    urls = [
        reverse("initiatives:initiative_list"),
        reverse("initiatives:initiative_board"),
        kpi.initiative.get_absolute_url(),
        reverse("initiatives:kpi_list"),
        kpi.get_absolute_url(),
        reverse("initiatives:milestone_list"),
        reverse("initiatives:initiative_history", args=[kpi.initiative.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [expected] * len(urls)


def test_anonymous_is_sent_to_login():
    for url in (reverse("initiatives:initiative_list"), reverse("initiatives:kpi_list")):
        response = page_client().get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", PERSONAS)
def test_only_leaders_and_executives_create_initiatives_through_pages(personas, role):
    client = page_client(personas[role])
    owner = PersonFactory()
    assert client.get(reverse("initiatives:initiative_add")).status_code == (200 if role in WRITERS else 403)
    response = client.post(reverse("initiatives:initiative_add"), initiative_form(owner))
    created = Initiative.objects.filter(title="Invoice anomaly detection").first()
    assert (created is not None) is (role in WRITERS)
    if created:
        assert response.status_code == 302
        assert created.key == f"INI-{created.pk:04d}"
        assert created.partner_functions == ["finance", "legal"] and created.tags == ["anomaly", "finance-ops"]
        assert created.history.first().history_user == personas[role]


def test_the_form_refuses_a_target_before_the_start_and_keeps_input(leader):
    owner = PersonFactory()
    response = page_client(leader).post(
        reverse("initiatives:initiative_add"),
        initiative_form(owner, title="Kept title", start_date="2025-05-01", target_date="2025-04-01"),
    )
    assert response.status_code == 200
    assert "target_date" in response.context["form"].errors
    assert b"Kept title" in response.content
    assert not Initiative.objects.filter(title="Kept title").exists()


def test_the_edit_form_has_no_stage_and_a_stale_save_is_refused(leader, executive):
    initiative = InitiativeFactory(title="Original")
    url = reverse("initiatives:initiative_edit", args=[initiative.pk])
    form = page_client(leader).get(url).context["form"]
    assert "stage" not in form.fields
    stale = initiative.version
    page_client(executive).post(url, initiative_form(initiative.owner, title="Theirs", version=stale))
    response = page_client(leader).post(url, initiative_form(initiative.owner, title="Mine", version=stale))
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.title == "Theirs"


def test_the_detail_page_shows_kpis_with_status_milestones_and_the_gate_checklist(leader):
    initiative = InitiativeFactory(stage="poc")
    kpi = KPIFactory(initiative=initiative, name="Precision at 10", target=80, warning_threshold=70)
    KPIMeasurementFactory(kpi=kpi, value=90)
    MilestoneFactory(initiative=initiative, title="Shadow run done")
    body = page_client(leader).get(initiative.get_absolute_url()).content.decode()
    assert "Precision at 10" in body and "Green" in body and "Shadow run done" in body
    assert "Stage gate to pilot" in body and "at least one KPI with a target" in body
    assert f'action="/initiatives/{initiative.pk}/transition/"' in body


def test_a_refused_transition_on_the_page_lists_the_failed_checks(leader):
    initiative = InitiativeFactory(stage="poc")
    response = page_client(leader).post(
        reverse("initiatives:initiative_transition", args=[initiative.pk]),
        {"stage": "pilot", "version": initiative.version},
        follow=True,
    )
    assert "no KPI with a target" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.stage == "poc"


def test_a_transition_on_the_page_moves_the_initiative(leader):
    initiative = InitiativeFactory(stage="idea")
    page_client(leader).post(
        reverse("initiatives:initiative_transition", args=[initiative.pk]), {"stage": "discovery", "version": 1}
    )
    initiative.refresh_from_db()
    assert initiative.stage == "discovery"
    assert initiative.history.first().history_channel == "web"


@pytest.mark.parametrize("role", ("contributor", "auditor", "governance"))
def test_roles_without_write_access_cannot_transition_through_the_page(personas, role):
    initiative = InitiativeFactory(stage="idea")
    response = page_client(personas[role]).post(
        reverse("initiatives:initiative_transition", args=[initiative.pk]), {"stage": "discovery"}
    )
    initiative.refresh_from_db()
    assert response.status_code in (302, 403) and initiative.stage == "idea"


@pytest.mark.parametrize("role", PERSONAS)
def test_contributors_leaders_and_executives_add_measurements_on_the_kpi_page(personas, role):
    kpi = KPIFactory()
    response = page_client(personas[role]).post(
        reverse("initiatives:kpi_measurement_add", args=[kpi.pk]),
        {"observed_at": "2025-03-01T10:00", "value": "77.5", "source": "manual"},
    )
    assert KPIMeasurement.objects.filter(kpi=kpi).exists() is (role in MEASURERS)
    assert response.status_code == (302 if role in MEASURERS else 403)


def test_a_bad_measurement_shows_its_error_on_the_kpi_page(contributor):
    kpi = KPIFactory()
    response = page_client(contributor).post(
        reverse("initiatives:kpi_measurement_add", args=[kpi.pk]), {"observed_at": "yesterday", "value": "abc"}
    )
    assert response.status_code == 200
    assert set(response.context["measurement_form"].errors) >= {"observed_at", "value"}
    assert not KPIMeasurement.objects.exists()


def test_milestones_are_added_from_the_initiative_and_return_to_it(leader):
    initiative = InitiativeFactory()
    client = page_client(leader)
    assert client.get(reverse("initiatives:milestone_add") + f"?initiative={initiative.pk}").status_code == 200
    response = client.post(
        reverse("initiatives:milestone_add"),
        {"initiative": initiative.pk, "title": "Pilot go-live", "status": "done"},
    )
    milestone = Milestone.objects.get(title="Pilot go-live")
    assert response["Location"].startswith(initiative.get_absolute_url())
    assert milestone.done_date == timezone.localdate()  # done without a date means today
    delete = client.post(reverse("initiatives:milestone_delete", args=[milestone.pk]), {"version": milestone.version})
    assert delete["Location"] == initiative.get_absolute_url()
    assert not Milestone.objects.exists()


def test_list_filters_by_partner_function_tag_and_stage(leader):
    InitiativeFactory(title="Finance one", partner_functions=["finance"], tags=["genai"], stage="poc")
    InitiativeFactory(title="Legal one", partner_functions=["legal"], tags=["forecasting"], stage="idea")
    client = page_client(leader)
    url = reverse("initiatives:initiative_list")

    def titles(params):
        return [i.title for i in client.get(url, params).context["object_list"]]

    assert titles({"partner_function": "finance"}) == ["Finance one"]
    assert titles({"tag": "forecasting"}) == ["Legal one"]
    assert titles({"stage": ["poc"]}) == ["Finance one"]
    assert titles({"q": "legal"}) == ["Legal one"]


def test_csv_export_holds_the_filtered_initiatives(auditor):
    InitiativeFactory(title="Exported one", health="at_risk", partner_functions=["finance", "legal"])
    InitiativeFactory(title="Filtered out", health="on_track")
    response = page_client(auditor).get(reverse("initiatives:initiative_list"), {"health": "at_risk", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Exported one" in body and "Filtered out" not in body
    assert "Finance, Legal" in body and "At risk" in body  # list choices by label (pages branch, LIST_CHOICES)


def test_csv_export_of_kpis_carries_the_derived_status(auditor):
    kpi = KPIFactory(name="Exported KPI")
    KPIMeasurementFactory(kpi=kpi, value=10)
    response = page_client(auditor).get(reverse("initiatives:kpi_list"), {"status": "red", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    header, row = body.splitlines()[:2]
    assert "Exported KPI" in row and ",Owner email,Status (read-only)," in header
    assert ",red," in row  # after the import columns: derived, an import ignores it


def test_the_kpi_list_filters_by_derived_status(auditor):
    green, red = KPIFactory(name="Good"), KPIFactory(name="Bad")
    KPIMeasurementFactory(kpi=green, value=99)
    KPIMeasurementFactory(kpi=red, value=1)
    response = page_client(auditor).get(reverse("initiatives:kpi_list"), {"status": ["green"]})
    assert [k.name for k in response.context["object_list"]] == ["Good"]


def test_the_board_groups_initiatives_by_stage(auditor):
    InitiativeFactory(title="In pilot", stage="pilot")
    InitiativeFactory(title="An idea", stage="idea")
    columns = page_client(auditor).get(reverse("initiatives:initiative_board")).context["columns"]
    by_stage = {c["stage"]: [i.title for i in c["cards"]] for c in columns}
    assert by_stage["pilot"] == ["In pilot"] and by_stage["idea"] == ["An idea"]


def test_the_kpi_page_pages_measurements_and_bounds_the_trend(auditor):
    kpi = KPIFactory()
    start = timezone.now() - timedelta(days=300)
    KPIMeasurement.objects.bulk_create(
        KPIMeasurement(kpi=kpi, observed_at=start + timedelta(hours=6 * i), value=i) for i in range(1200)
    )
    response = page_client(auditor).get(kpi.get_absolute_url())
    assert len(response.context["measurements"]) == 20
    assert response.context["bucket"] == "day" and len(response.context["chart"]["values"]) <= 366
    assert response.context["chart"]["target"] == 80.0


# --- constant query counts -----------------------------------------------------------------------
def grow_portfolio(n):
    for _ in range(n):
        kpi = KPIFactory(initiative=InitiativeFactory(executive_sponsor=PersonFactory()), owner=PersonFactory())
        KPIMeasurementFactory(kpi=kpi)
        MilestoneFactory(initiative=kpi.initiative)


# session, user, roles, then: count + owner and sponsor filter choices + page (relations joined);
# the board: per-stage counts, one bounded query per stage (6), the two people filters.
LIST_QUERIES = {
    "initiatives:initiative_list": 8,  # + the bulk toolbar's owner choices (writers only)
    "initiatives:initiative_board": 12,
    "initiatives:kpi_list": 8,  # count, initiative and owner filter choices, page (status annotated), bulk owners
    "initiatives:milestone_list": 7,  # count, initiative and initiative-owner filter choices, page
}


@pytest.mark.parametrize("url_name", LIST_QUERIES)
def test_lists_run_constant_queries(executive, django_assert_num_queries, url_name):
    client = page_client(executive)
    client.get(reverse(url_name))  # warm the session
    grow_portfolio(2)
    with django_assert_num_queries(LIST_QUERIES[url_name]):
        client.get(reverse(url_name))
    grow_portfolio(6)
    with django_assert_num_queries(LIST_QUERIES[url_name]):
        client.get(reverse(url_name))


def test_the_kpi_page_runs_constant_queries(executive, django_assert_num_queries):
    client = page_client(executive)
    kpi = KPIFactory()
    KPIMeasurementFactory(kpi=kpi)
    # session, user, roles, KPI with status, the trend (one statement for a short series: issue 23),
    # measurement count and page
    with django_assert_num_queries(7):
        client.get(kpi.get_absolute_url())
    KPIMeasurementFactory.create_batch(40, kpi=kpi)
    with django_assert_num_queries(7):
        client.get(kpi.get_absolute_url())


def test_the_initiative_page_runs_constant_queries(executive, django_assert_num_queries):
    """Session, user, roles, initiative, KPIs with status, sparkline points, milestones, plus the
    gate checks' own queries (other apps register checks, so the total is measured, then pinned)."""
    client = page_client(executive)
    initiative = InitiativeFactory(stage="poc")
    KPIMeasurementFactory(kpi=KPIFactory(initiative=initiative))
    client.get(initiative.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(initiative.get_absolute_url())
    assert len(first.captured_queries) <= 7 + 4 * len(gate.GATE_CHECKS)
    for _ in range(5):
        KPIMeasurementFactory.create_batch(4, kpi=KPIFactory(initiative=initiative, owner=PersonFactory()))
        MilestoneFactory(initiative=initiative)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(initiative.get_absolute_url())
    assert len(response.context["kpis"]) == 6


def test_kpi_form_prefills_the_initiative(leader):
    initiative = InitiativeFactory()
    response = page_client(leader).get(reverse("initiatives:kpi_add") + f"?initiative={initiative.pk}")
    assert response.context["form"].initial["initiative"] == str(initiative.pk)
    created = page_client(leader).post(
        reverse("initiatives:kpi_add"),
        {
            "initiative": initiative.pk,
            "name": "Hours saved",
            "direction": "higher_is_better",
            "cadence": "monthly",
            "precision": "0",
            "target": "100",
        },
    )
    assert created.status_code == 302 and KPI.objects.get(name="Hours saved").initiative == initiative
