"""Incidents and vendors where the rest of the portal meets them: the stage gate's two new checks
(service, API), the initiative page's incidents, the due queue, the dashboard and executive report,
search, and the spreadsheet round trip."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.gate_checks import check_open_critical_incidents, check_vendors
from governance.models import Incident, Vendor
from initiatives import gate
from initiatives.models import KPI
from leadership.dashboard.metrics import as_data, dashboard
from leadership.due import due_items
from leadership.search import search
from tests.conftest import api_client, page_client
from tests.factories.incidents import IncidentFactory, VendorFactory
from tests.factories.risks import AISystemFactory, GateInitiativeFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now


def ready_initiative(stage="poc"):
    initiative = GateInitiativeFactory(stage=stage)
    system = AISystemFactory(initiative=initiative, name="Scorer", eu_ai_act_tier="limited")
    KPI.objects.create(initiative=initiative, name="Approval time", target=2)
    return initiative, system


# --- the gate -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("severity", "status", "blocks"),
    [
        ("critical", "open", True),
        ("critical", "investigating", True),
        ("critical", "mitigated", True),
        ("critical", "closed", False),
        ("high", "open", False),
    ],
)
def test_an_open_critical_incident_on_a_system_blocks_moving_forward(severity, status, blocks):
    initiative, system = ready_initiative()
    IncidentFactory(ai_systems=[system], severity=severity, status=status, title="Wrong refusals")
    reasons = check_open_critical_incidents(initiative, "pilot")
    assert bool(reasons) == blocks
    if blocks:
        assert "Wrong refusals" in reasons[0] and "critical" in reasons[0]
        assert reasons[0] in gate.failed_reasons(initiative, "pilot")


def test_an_incident_naming_the_initiative_itself_counts():
    initiative, _ = ready_initiative()
    IncidentFactory(initiative=initiative, severity="critical")
    assert len(check_open_critical_incidents(initiative, "production")) == 1


@pytest.mark.parametrize(
    ("status", "dpa", "personal", "expected"),
    [
        ("approved", True, True, 0),
        ("approved", False, False, 0),
        ("approved", False, True, 1),  # no DPA for personal data
        ("proposed", True, False, 1),
        ("restricted", False, True, 2),
    ],
)
def test_a_system_from_a_vendor_needs_it_approved_and_a_dpa_for_personal_data(status, dpa, personal, expected):
    initiative, system = ready_initiative()
    vendor = VendorFactory(name="Acme Models", status=status, dpa_signed=dpa)
    system.vendor, system.processes_personal_data = vendor, personal
    system.save()
    reasons = check_vendors(initiative, "pilot")
    assert len(reasons) == expected
    assert all("Acme Models" in reason and "Scorer" in reason for reason in reasons)


def test_the_gate_refuses_the_move_in_the_api_listing_the_new_checks(leader):
    initiative, system = ready_initiative()
    system.vendor = VendorFactory(name="Acme Models", status="proposed")
    system.save()
    IncidentFactory(ai_systems=[system], severity="critical")
    answer = api_client(leader).post(
        f"/api/v1/initiatives/{initiative.pk}/transition/", {"stage": "pilot"}, format="json"
    )
    assert answer.status_code == 409
    checks = answer.json()["failed_checks"]
    assert any("is critical and still open" in c for c in checks)
    assert any("Acme Models" in c and "not approved" in c for c in checks)


# --- the initiative page --------------------------------------------------------------------------------
def test_the_initiative_page_shows_incidents_of_its_systems_from_pilot_on(leader):
    initiative, system = ready_initiative(stage="pilot")
    IncidentFactory(ai_systems=[system], title="Pilot outage")
    body = page_client(leader).get(initiative.get_absolute_url()).content.decode()
    assert "initiative-incidents" in body and "Pilot outage" in body
    early, early_system = ready_initiative(stage="poc")
    IncidentFactory(ai_systems=[early_system], title="Lab hiccup")
    assert "Lab hiccup" not in page_client(leader).get(early.get_absolute_url()).content.decode()


# --- due, dashboard, report, search ------------------------------------------------------------------------
def test_the_due_queue_has_reports_vendor_reviews_and_contract_ends(leader):
    today = timezone.localdate()
    overdue = IncidentFactory(
        serious=True,
        serious_kind="critical_infrastructure",
        occurred_at=NOW() - datetime.timedelta(days=3),
        detected_at=NOW() - datetime.timedelta(days=3),
    )
    urgent = IncidentFactory(serious=True, serious_kind="widespread_infringement")
    # Known now: 15 days from now ends after the queue's last day (today + 14). The factory's default,
    # known four hours ago, is due within it when the test runs in the first four hours of a day.
    later = IncidentFactory(serious=True, serious_kind="other_serious", occurred_at=NOW(), detected_at=NOW())
    reported = IncidentFactory(serious=True, serious_kind="widespread_infringement", reported_to_authority_at=NOW())
    review = VendorFactory(next_review_date=today + datetime.timedelta(days=3))
    contract = VendorFactory(contract_end_date=today + datetime.timedelta(days=80))
    items = {item.key: item for item in due_items(leader)}
    assert items[f"incident_report:{overdue.pk}"].overdue
    assert items[f"incident_report:{urgent.pk}"].urgent and not items[f"incident_report:{urgent.pk}"].overdue
    assert f"incident_report:{later.pk}" not in items and f"incident_report:{reported.pk}" not in items
    assert f"vendor_review:{review.pk}" in items and f"vendor_contract:{contract.pk}" in items
    assert next(iter(items.values())).key == f"incident_report:{overdue.pk}"  # overdue first
    body = page_client(leader).get(reverse("due")).content.decode()
    assert "Incident report to authority" in body and "urgent" in body and "Vendor contract end" in body


def test_dashboard_figures_match_their_lists_and_show_the_deadlines(leader):
    IncidentFactory(
        serious=True,
        serious_kind="critical_infrastructure",
        occurred_at=NOW() - datetime.timedelta(days=3),
        detected_at=NOW() - datetime.timedelta(days=3),
    )
    IncidentFactory(serious=True, serious_kind="death")
    IncidentFactory(status="closed", root_cause="x", lessons_learned="y")
    board = dashboard(leader)
    figures = {f.key: f for f in board.incidents}
    assert (figures["incidents.open"].count, figures["incidents.reports_pending"].count) == (2, 2)
    assert figures["incidents.reports_overdue"].count == 1
    client = page_client(leader)
    for figure in board.incidents:
        listed = client.get(figure.url).context["paginator"].count
        assert listed == figure.count, figure.key
    data = as_data(board)["incidents"]
    assert data["reports_overdue"]["count"] == 1 and data["report_deadlines"][0]["overdue"] is True
    page = client.get(reverse("dashboard")).content.decode()
    assert "dash-report-deadlines" in page and "overdue by" in page
    report = client.get(reverse("report")).content.decode()
    assert "rep-incidents" in report and "overdue by" in report


def test_search_finds_incidents_and_vendors(auditor):
    IncidentFactory(title="Hallucinated refund")
    VendorFactory(name="Hallucination Labs")
    groups = {group.label: group for group in search(auditor, "hallucinat")}
    assert [str(r) for r in groups["Incidents"].results][0].endswith("Hallucinated refund")
    assert [r.name for r in groups["Vendors"].results] == ["Hallucination Labs"]


def test_events_carry_the_api_shape(leader):
    from vpportal.events.models import Event

    incident = IncidentFactory()
    api_client(leader).post(f"/api/v1/incidents/{incident.pk}/transition/", {"status": "investigating"}, format="json")
    event = Event.objects.get(type="incident.status_changed")
    assert event.data["key"] == incident.key and event.data["status"] == "investigating"
    assert "report_due" in event.data


# --- import / export ---------------------------------------------------------------------------------------
def test_vendors_and_incidents_round_trip_through_the_spreadsheet_kinds(executive):
    from leadership.imports.kinds import KINDS

    vendor = VendorFactory(name="Round Trip AI", data_locations=["FR", "NL"])
    system = AISystemFactory(name="Round system", vendor=vendor)
    incident = IncidentFactory(ai_systems=[system], title="Round incident", status="investigating")
    vendor_kind, incident_kind = KINDS["vendors"], KINDS["incidents"]
    vendor_row = dict(zip(vendor_kind.columns, vendor_kind.export_row(vendor), strict=True))
    assert vendor_row["data_locations"] == "FR,NL"
    row = dict(zip(incident_kind.columns, incident_kind.export_row(incident), strict=True))
    assert row["ai_system_names"] == "Round system" and row["status"] == "Investigating"
    existing, data = incident_kind.parse({k: str(v) if v is not None else "" for k, v in row.items()}, {})
    assert existing == incident and incident_kind.is_unchanged(existing, data)
    # A new row: created through the service, moved through the declared workflow.
    new = {**{k: str(v) if v is not None else "" for k, v in row.items()}, "key": "", "title": "From a file"}
    new["status"] = "mitigated"
    _, data = incident_kind.parse(new, {})
    created = incident_kind.create(data, by=executive, row=new, cache={})
    assert created.status == "mitigated" and list(created.ai_systems.all()) == [system]
    closing = {**new, "title": "Closed from a file", "status": "closed"}
    _, data = incident_kind.parse(closing, {})
    from vpportal.core.fieldspec import RowError

    with pytest.raises(RowError) as error:
        incident_kind.create(data, by=executive, row=closing, cache={})
    assert "root cause" in str(error.value.errors["status"])
    assert Vendor.objects.filter(name="Round Trip AI").count() == 1
    assert Incident.objects.filter(title="From a file").count() == 1
