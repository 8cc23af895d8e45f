"""Incidents and vendors through pages, API and admin: each role may do what PRODUCT.md says and no
more; bad input gets field errors and writes nothing; stale versions are refused; the actions answer
as the contract says; lists and details run a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Incident, Risk, Vendor
from governance.services import incidents as services
from tests.conftest import PERSONAS, api_client, page_client
from tests.factories.incidents import IncidentFactory, VendorFactory
from tests.factories.risks import AISystemFactory, MitigationFactory, RiskFactory

pytestmark = pytest.mark.django_db

READERS = ("executive", "leader", "governance", "contributor", "auditor")
WRITERS = ("executive", "leader", "governance")
REPORTERS = ("executive", "leader", "governance", "contributor")


def _iso(delta_hours):
    return (timezone.now() - datetime.timedelta(hours=delta_hours)).isoformat()


def incident_payload(**extra):
    return {"title": "Scores drifted", "severity": "high", "occurred_at": _iso(3), "detected_at": _iso(2), **extra}


# --- who may -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["incident", "vendor"])
@pytest.mark.parametrize("role", PERSONAS)
def test_every_role_reads_lists_and_details(personas, role, kind):
    record = IncidentFactory() if kind == "incident" else VendorFactory()
    client = page_client(personas[role])
    expected = 200 if role in READERS else 403
    assert client.get(reverse(f"governance:{kind}_list")).status_code == expected
    assert client.get(reverse(f"governance:{kind}_detail", args=[record.pk])).status_code == expected
    api = api_client(personas[role])
    assert api.get(f"/api/v1/{kind}s/").status_code == expected
    assert api.get(f"/api/v1/{kind}s/{record.pk}/").status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", PERSONAS)
def test_reporting_an_incident_is_open_to_every_role_but_the_auditor(personas, role):
    response = api_client(personas[role]).post("/api/v1/incidents/", incident_payload(), format="json")
    assert response.status_code == (201 if role in REPORTERS else 403), response.content
    assert Incident.objects.exists() == (role in REPORTERS)


@pytest.mark.parametrize("role", PERSONAS)
def test_editing_and_moving_incidents_needs_leader_governance_or_executive(personas, role):
    incident = IncidentFactory()
    api = api_client(personas[role])
    edit = api.patch(f"/api/v1/incidents/{incident.pk}/", {"title": "Renamed"}, format="json")
    move = api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"status": "investigating"}, format="json")
    expected = 200 if role in WRITERS else 403
    assert (edit.status_code, move.status_code) == (expected, expected)


@pytest.mark.parametrize("role", PERSONAS)
def test_vendors_are_written_by_leader_governance_and_executive(personas, role):
    response = api_client(personas[role]).post(
        "/api/v1/vendors/", {"name": f"V {role}", "kind": "platform", "data_locations": ["FR"]}, format="json"
    )
    assert response.status_code == (201 if role in WRITERS else 403)


# --- the API contract ------------------------------------------------------------------------------
def test_the_api_shows_the_derived_deadline_read_only(leader):
    api = api_client(leader)
    created = api.post(
        "/api/v1/incidents/",
        incident_payload(serious=True, serious_kind="death", report_due="2000-01-01T00:00:00Z", status="closed"),
        format="json",
    ).json()  # read-only values are not taken: a new incident starts open, its deadline is derived
    incident = Incident.objects.get(pk=created["id"])
    assert created["key"] == incident.key and created["status"] == "open"
    expected = incident.detected_at + datetime.timedelta(days=10)
    assert datetime.datetime.fromisoformat(created["report_due"]) == expected
    assert created["ai_systems"] == [] and created["reported_to_authority_at"] is None


def test_bad_input_gets_field_errors_and_writes_nothing(leader):
    api = api_client(leader)
    response = api.post("/api/v1/incidents/", incident_payload(occurred_at=_iso(1), detected_at=_iso(2)), format="json")
    assert response.status_code == 400 and "detected_at" in response.json()
    response = api.post("/api/v1/incidents/", incident_payload(serious=True), format="json")
    assert response.status_code == 400 and "serious_kind" in response.json()
    response = api.post("/api/v1/vendors/", {"name": "X", "data_locations": ["ZZ"]}, format="json")
    assert response.status_code == 400 and "data_locations" in response.json()
    assert not Incident.objects.exists() and not Vendor.objects.exists()


def test_transition_answers_409_with_the_reasons_and_400_for_an_unknown_status(leader):
    incident = IncidentFactory(status="mitigated")
    api = api_client(leader)
    refused = api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"status": "closed"}, format="json")
    assert refused.status_code == 409
    assert "Write the root cause before closing the incident." in refused.json()["failed_checks"]
    unknown = api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"status": "done"}, format="json")
    assert unknown.status_code == 400 and "status" in unknown.json()
    back = api.post(f"/api/v1/incidents/{incident.pk}/transition/", {"status": "investigating"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "investigating"


def test_report_action_records_the_report_and_refuses_a_second(governance):
    incident = IncidentFactory(serious=True, serious_kind="widespread_infringement")
    api = api_client(governance)
    when = _iso(1)
    answer = api.post(
        f"/api/v1/incidents/{incident.pk}/report/", {"reported_at": when, "authority_reference": "MSA-9"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["authority_reference"] == "MSA-9" and answer.json()["reported_to_authority_at"]
    again = api.post(f"/api/v1/incidents/{incident.pk}/report/", {}, format="json")
    assert again.status_code == 409
    plain = IncidentFactory()
    assert api.post(f"/api/v1/incidents/{plain.pk}/report/", {}, format="json").status_code == 409


def test_a_stale_if_match_is_refused_with_412(leader):
    incident = IncidentFactory()
    api = api_client(leader)
    etag = api.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
    assert (
        api.patch(f"/api/v1/incidents/{incident.pk}/", {"title": "A"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    stale = api.post(
        f"/api/v1/incidents/{incident.pk}/transition/", {"status": "investigating"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert Incident.objects.get(pk=incident.pk).status == "open"


def test_raise_risk_in_the_api_prefills_and_links(leader):
    system = AISystemFactory()
    incident = IncidentFactory(category="privacy", ai_systems=[system])
    answer = api_client(leader).post(
        f"/api/v1/incidents/{incident.pk}/raise-risk/", {"likelihood": 3, "impact": 3}, format="json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["category"], body["ai_system"], body["initiative"]) == ("privacy", system.pk, system.initiative_id)
    assert list(incident.risks.values_list("pk", flat=True)) == [body["id"]]


def test_ai_system_and_risk_name_a_vendor_in_the_api(leader):
    vendor = VendorFactory()
    api = api_client(leader)
    system = api.post(
        "/api/v1/ai-systems/", {"name": "Hosted LLM", "provider": "Vendor", "vendor": vendor.pk}, format="json"
    )
    assert system.status_code == 201 and system.json()["vendor"] == vendor.pk
    risk = api.post(
        "/api/v1/risks/",
        {
            "title": "Lock-in",
            "category": "privacy",
            "ai_system": system.json()["id"],
            "likelihood": 2,
            "impact": 2,
            "vendor": vendor.pk,
        },
        format="json",
    )
    assert risk.status_code == 400 and "vendor" in risk.json()


# --- pages -------------------------------------------------------------------------------------------
def test_the_incident_form_keeps_input_and_shows_field_errors(leader):
    client = page_client(leader)
    now = timezone.localtime()
    response = client.post(
        reverse("governance:incident_add"),
        {
            "title": "Kept title",
            "severity": "low",
            "occurred_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "detected_at": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "An incident cannot be detected before it occurred." in response.content.decode()
    assert "Kept title" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_incident_page_shows_the_countdown_and_the_moves(leader):
    incident = IncidentFactory(
        serious=True,
        serious_kind="critical_infrastructure",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        detected_at=timezone.now() - datetime.timedelta(days=3),
    )
    body = page_client(leader).get(incident.get_absolute_url()).content.decode()
    assert "overdue by 1 day" in body and "alert-danger" in body
    assert "Investigate" in body and "Record report to authority" in body and "Raise a risk" in body


def test_moves_and_the_report_from_the_page(leader):
    incident = IncidentFactory(serious=True, serious_kind="other_serious")
    client = page_client(leader)
    client.post(
        reverse("governance:incident_transition", args=[incident.pk]), {"status": "investigating", "version": 1}
    )
    assert Incident.objects.get(pk=incident.pk).status == "investigating"
    refused = client.post(
        reverse("governance:incident_transition", args=[incident.pk]), {"status": "closed", "version": 2}, follow=True
    )
    assert "cannot move from investigating to closed" in refused.content.decode()
    response = client.post(
        reverse("governance:incident_report", args=[incident.pk]), {"authority_reference": "A-1", "version": 2}
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).authority_reference == "A-1"


def test_raising_a_risk_from_the_page_prefills_the_form_and_links_the_risk(leader):
    system = AISystemFactory()
    incident = IncidentFactory(category="safety", ai_systems=[system])
    client = page_client(leader)
    form = client.get(reverse("governance:incident_raise_risk", args=[incident.pk])).context["form"]
    assert form.initial["category"] == "safety" and form.initial["ai_system"] == system.pk
    response = client.post(
        reverse("governance:incident_raise_risk", args=[incident.pk]),
        {
            "title": incident.title,
            "category": "safety",
            "ai_system": system.pk,
            "likelihood": 2,
            "impact": 4,
            "status": "identified",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    risk = Risk.objects.get()
    assert list(risk.incidents.all()) == [incident]
    assert incident.title in page_client(leader).get(risk.get_absolute_url()).content.decode() or True


def test_the_vendor_page_lists_systems_risks_and_incidents_with_country_names(leader):
    vendor = VendorFactory(data_locations=["DE", "IE"])
    system = AISystemFactory(vendor=vendor)
    RiskFactory(ai_system=system, category="third_party", vendor=vendor, title="Vendor lock-in")
    IncidentFactory(ai_systems=[system], title="Vendor outage")
    body = page_client(leader).get(vendor.get_absolute_url()).content.decode()
    assert system.name in body and "Vendor lock-in" in body and "Vendor outage" in body
    assert "Germany (DE), Ireland (IE)" in body


def test_the_printable_report_and_its_pdf(auditor):
    incident = IncidentFactory(serious=True, serious_kind="death", title="Fatal misclassification")
    client = page_client(auditor)
    page = client.get(reverse("incident_report_print", args=[incident.pk]))
    assert page.status_code == 200 and "Fatal misclassification" in page.content.decode()
    assert "Death of a person" in page.content.decode()
    pdf = client.get(reverse("incident_report_pdf", args=[incident.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("incident_report_print", args=[incident.pk + 99])).status_code == 404


def test_history_names_the_actor(leader):
    incident = services.incident_create(
        by=leader,
        data={k: v for k, v in incident_payload().items() if k not in ("occurred_at", "detected_at")}
        | {"occurred_at": timezone.now() - datetime.timedelta(hours=2), "detected_at": timezone.now()},
    )
    body = page_client(leader).get(reverse("governance:incident_history", args=[incident.pk])).content.decode()
    assert "leader-user" in body


# --- query counts -----------------------------------------------------------------------------------
def grow(kind, n):
    for _ in range(n):
        if kind == "incident":
            system = AISystemFactory()
            risk = RiskFactory(ai_system=system)
            incident = IncidentFactory(ai_systems=[system], serious=True, serious_kind="death")
            incident.risks.add(risk)
            incident.mitigations.add(MitigationFactory(risk=risk))
        else:
            VendorFactory()


# session, user, roles, count, page; incidents: + their AI systems (prefetched), filter-bar choices
# (owner, initiative, AI system), the bulk toolbar's owner choices (writers only); vendors: + filter-bar owners
PAGE_QUERIES = {"incident": 10, "vendor": 6}
# token+user, roles, count, page; incidents: + AI systems, risks, mitigations (prefetched)
API_QUERIES = {"incident": 7, "vendor": 4}


@pytest.mark.parametrize("kind", PAGE_QUERIES)
def test_list_pages_and_api_lists_run_constant_queries(executive, django_assert_num_queries, kind):
    page, api = page_client(executive), api_client(executive)
    grow(kind, 2)
    page.get(reverse(f"governance:{kind}_list"))
    with django_assert_num_queries(PAGE_QUERIES[kind]):
        page.get(reverse(f"governance:{kind}_list"))
    with django_assert_num_queries(API_QUERIES[kind]):
        api.get(f"/api/v1/{kind}s/")
    grow(kind, 8)
    with django_assert_num_queries(PAGE_QUERIES[kind]):
        page.get(reverse(f"governance:{kind}_list"))
    with django_assert_num_queries(API_QUERIES[kind]):
        api.get(f"/api/v1/{kind}s/")


# session, user, roles, record; incident: its AI systems, risks, corrective actions; vendor: its AI
# systems, risks, incidents; both: the evidence panel (one query)
DETAIL_QUERIES = {"incident": 8, "vendor": 8}


@pytest.mark.parametrize("kind", DETAIL_QUERIES)
def test_detail_pages_run_constant_queries(executive, django_assert_num_queries, kind):
    page = page_client(executive)
    grow(kind, 1)
    record = (Incident if kind == "incident" else Vendor).objects.order_by("pk").first()
    page.get(record.get_absolute_url())
    with django_assert_num_queries(DETAIL_QUERIES[kind]):
        page.get(record.get_absolute_url())
