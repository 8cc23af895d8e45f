"""Portfolio API: role matrix, validation, transitions, ETags, derived KPI fields, filters, queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from initiatives import gate
from initiatives.models import KPI, Initiative, KPIMeasurement, Milestone
from tests.conftest import PERSONAS, api_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = ("executive", "leader")
MEASURERS = ("executive", "leader", "contributor")


def payload(**overrides):
    return {
        "title": "Demand forecasting",
        "owner": PersonFactory().pk,
        "partner_functions": ["finance", "product"],
        "tags": ["forecasting"],
        "start_date": "2025-01-01",
        "target_date": "2025-12-31",
    } | overrides


@pytest.mark.parametrize("role", PERSONAS)
def test_each_role_reads_every_portfolio_resource_only_with_a_role(personas, role):
    KPIMeasurementFactory()
    client = api_client(personas[role])
    codes = [
        client.get(f"/api/v1/{name}/").status_code for name in ("initiatives", "milestones", "kpis", "kpi-measurements")
    ]
    assert codes == [200 if role in READERS else 403] * 4


def test_anonymous_gets_401():
    assert api_client().get("/api/v1/initiatives/").status_code == 401
    assert api_client().post("/api/v1/kpi-measurements/bulk/", [], format="json").status_code == 401


@pytest.mark.parametrize("role", PERSONAS)
def test_only_leaders_and_executives_write_initiatives_milestones_and_kpis(personas, role):
    client = api_client(personas[role])
    initiative = InitiativeFactory()
    created = client.post("/api/v1/initiatives/", payload(), format="json")
    milestone = client.post("/api/v1/milestones/", {"initiative": initiative.pk, "title": "Go live"}, format="json")
    kpi = client.post("/api/v1/kpis/", {"initiative": initiative.pk, "name": "MAPE", "target": "5"}, format="json")
    patch = client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "Changed"}, format="json")
    expected = (201, 201, 201, 200) if role in WRITERS else (403, 403, 403, 403)
    assert (created.status_code, milestone.status_code, kpi.status_code, patch.status_code) == expected
    assert Milestone.objects.filter(title="Go live").exists() is (role in WRITERS)


@pytest.mark.parametrize("role", PERSONAS)
def test_contributors_add_single_measurements_but_auditors_do_not(personas, role):
    kpi = KPIFactory()
    response = api_client(personas[role]).post(
        "/api/v1/kpi-measurements/",
        {"kpi": kpi.pk, "observed_at": "2025-03-01T10:00:00Z", "value": 3.5, "source": "mlflow"},
        format="json",
    )
    assert response.status_code == (201 if role in MEASURERS else 403)


def test_create_assigns_the_key_and_ignores_a_sent_one(executive):
    response = api_client(executive).post("/api/v1/initiatives/", payload(key="HACK-1"), format="json")
    body = response.json()
    assert response.status_code == 201 and body["key"] == f"INI-{body['id']:04d}"
    assert response["ETag"] == f'"{body["id"]}-1"'


def test_bad_input_answers_400_per_field_and_writes_nothing(executive):
    client = api_client(executive)
    response = client.post(
        "/api/v1/initiatives/",
        payload(target_date="2024-01-01", partner_functions=["astrology"], priority=9),
        format="json",
    )
    assert response.status_code == 400
    assert {"partner_functions", "priority"} <= set(response.json())
    dates = client.post("/api/v1/initiatives/", payload(target_date="2024-01-01"), format="json")
    assert dates.status_code == 400 and "target_date" in dates.json()
    assert not Initiative.objects.exists()


def test_patching_the_stage_is_refused_with_a_pointer_to_the_transition(executive):
    initiative = InitiativeFactory(stage="idea")
    response = api_client(executive).patch(
        f"/api/v1/initiatives/{initiative.pk}/", {"stage": "production"}, format="json"
    )
    assert response.status_code == 400 and "transition" in response.json()["stage"][0]


def test_a_stale_if_match_gets_412(leader):
    initiative = InitiativeFactory()
    client = api_client(leader)
    etag = client.get(f"/api/v1/initiatives/{initiative.pk}/")["ETag"]
    assert (
        client.patch(f"/api/v1/initiatives/{initiative.pk}/", {"title": "One"}, HTTP_IF_MATCH=etag).status_code == 200
    )
    stale = client.post(
        f"/api/v1/initiatives/{initiative.pk}/transition/", {"stage": "discovery"}, HTTP_IF_MATCH=etag, format="json"
    )
    assert stale.status_code == 412
    initiative.refresh_from_db()
    assert initiative.stage == "idea"


# --- transition ------------------------------------------------------------------------------------
def transition(client, initiative, **body):
    return client.post(f"/api/v1/initiatives/{initiative.pk}/transition/", body, format="json")


def test_transition_answers_200_with_the_moved_initiative(leader):
    initiative = InitiativeFactory(stage="idea")
    response = transition(api_client(leader), initiative, stage="discovery")
    assert response.status_code == 200 and response.json()["stage"] == "discovery"
    assert initiative.history.first().history_channel == "api"


def test_a_gate_refusal_answers_409_with_each_failed_check(leader):
    initiative = InitiativeFactory(stage="poc")
    response = transition(api_client(leader), initiative, stage="pilot")
    assert response.status_code == 409
    assert gate.MSG_NO_KPI_WITH_TARGET in response.json()["failed_checks"]
    assert response.json()["detail"]


def test_a_move_that_is_not_declared_answers_409(leader):
    response = transition(api_client(leader), InitiativeFactory(stage="idea"), stage="production")
    assert response.status_code == 409 and "cannot move" in response.json()["detail"]


def test_an_unknown_stage_answers_400(leader):
    response = transition(api_client(leader), InitiativeFactory(), stage="moon")
    assert response.status_code == 400 and "stage" in response.json()


@pytest.mark.parametrize("role", ("governance", "contributor", "auditor"))
def test_readers_may_not_move_initiatives(personas, role):
    assert transition(api_client(personas[role]), InitiativeFactory(), stage="discovery").status_code == 403


def test_an_executive_override_is_recorded_and_a_leader_override_refused(executive, leader):
    initiative = InitiativeFactory(stage="poc")
    assert (
        transition(api_client(leader), initiative, stage="pilot", override_justification="Trust me").status_code == 403
    )
    response = transition(api_client(executive), initiative, stage="pilot", override_justification="Board approved.")
    assert response.status_code == 200
    assert response.json()["gate_override_justification"] == "Board approved."


# --- KPIs and measurements -------------------------------------------------------------------------
def test_kpis_carry_status_latest_value_and_time(auditor):
    kpi = KPIFactory(target=80, warning_threshold=70)
    moment = timezone.now() - timedelta(hours=2)
    KPIMeasurementFactory(kpi=kpi, value=72, observed_at=moment)
    body = api_client(auditor).get(f"/api/v1/kpis/{kpi.pk}/").json()
    assert (body["status"], body["latest_value"]) == ("amber", 72.0)
    assert body["latest_observed_at"].startswith(
        moment.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%dT%H")
    )


def test_derived_kpi_fields_are_read_only(leader):
    kpi = KPIFactory()
    response = api_client(leader).patch(
        f"/api/v1/kpis/{kpi.pk}/", {"status": "green", "latest_value": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "grey"


def test_kpis_filter_by_status_and_initiative(auditor):
    green = KPIFactory()
    KPIMeasurementFactory(kpi=green, value=90)
    KPIFactory()
    client = api_client(auditor)
    assert [k["id"] for k in client.get("/api/v1/kpis/?status=green").json()["results"]] == [green.pk]
    by_initiative = client.get(f"/api/v1/kpis/?initiative={green.initiative_id}").json()["results"]
    assert [k["id"] for k in by_initiative] == [green.pk]


def test_measurements_filter_by_kpi_and_observed_at_range(auditor):
    kpi, other = KPIFactory(), KPIFactory()
    now = timezone.now()
    for days in (1, 5, 10):
        KPIMeasurementFactory(kpi=kpi, observed_at=now - timedelta(days=days))
    KPIMeasurementFactory(kpi=other, observed_at=now - timedelta(days=5))
    after = (now - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    before = (now - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    response = api_client(auditor).get(
        "/api/v1/kpi-measurements/", {"kpi": kpi.pk, "observed_at_after": after, "observed_at_before": before}
    )
    assert response.json()["count"] == 1


def test_initiatives_filter_by_partner_function_tag_and_search(auditor):
    InitiativeFactory(title="Alpha", partner_functions=["legal"], tags=["genai"])
    InitiativeFactory(title="Beta", partner_functions=["finance"], tags=["ops"])
    client = api_client(auditor)

    def titles(query):
        return [i["title"] for i in client.get(f"/api/v1/initiatives/?{query}").json()["results"]]

    assert titles("partner_function=legal") == ["Alpha"]
    assert titles("tag=ops") == ["Beta"]
    assert titles("search=alp") == ["Alpha"]
    assert titles("ordering=-title") == ["Beta", "Alpha"]


def test_a_duplicate_single_measurement_answers_400(contributor):
    kpi = KPIFactory()
    body = {"kpi": kpi.pk, "observed_at": "2025-03-01T10:00:00Z", "value": 1, "source": "mlflow"}
    client = api_client(contributor)
    assert client.post("/api/v1/kpi-measurements/", body, format="json").status_code == 201
    assert client.post("/api/v1/kpi-measurements/", body, format="json").status_code == 400
    assert KPIMeasurement.objects.count() == 1


# --- constant query counts -------------------------------------------------------------------------
def grow(n):
    for _ in range(n):
        kpi = KPIFactory(initiative=InitiativeFactory(executive_sponsor=PersonFactory()), owner=PersonFactory())
        KPIMeasurementFactory(kpi=kpi)
        MilestoneFactory(initiative=kpi.initiative)


@pytest.mark.parametrize("resource", ["initiatives", "milestones", "kpis", "kpi-measurements"])
def test_api_lists_and_details_run_constant_queries(executive, django_assert_num_queries, resource):
    client = api_client(executive)
    grow(2)
    # token and user, roles, count, page (relations joined)
    with django_assert_num_queries(4):
        client.get(f"/api/v1/{resource}/")
    grow(8)
    with django_assert_num_queries(4):
        client.get(f"/api/v1/{resource}/")
    model = {"initiatives": Initiative, "milestones": Milestone, "kpis": KPI, "kpi-measurements": KPIMeasurement}
    pk = model[resource].objects.order_by("-pk").values_list("pk", flat=True)[0]
    with django_assert_num_queries(3):
        client.get(f"/api/v1/{resource}/{pk}/")
