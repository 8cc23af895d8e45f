"""The rules of incidents and vendors, through their services (PRODUCT.md "Incidents", "Vendors";
issue 19): the Article 73 deadline is derived, detection dates are checked, closing needs its
root cause, lessons and (for a serious incident) the report, moves follow the declared workflow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.choices import REPORT_WITHIN_DAYS, SeriousKind
from governance.models import Incident, Risk, Vendor
from governance.services import incidents as services
from governance.services import risks as risk_services
from governance.services import vendors as vendor_services
from tests.factories.incidents import IncidentFactory, VendorFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from vpportal.core.services import ConflictError, TransitionError
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _data(**extra):
    now = NOW()
    return {
        "title": "Model refused every applicant",
        "severity": "high",
        "occurred_at": now - datetime.timedelta(hours=3),
        "detected_at": now - datetime.timedelta(hours=2),
        **extra,
    }


# --- the deadline -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "days"),
    [("death", 10), ("critical_infrastructure", 2), ("widespread_infringement", 2), ("other_serious", 15)],
)
def test_the_report_deadline_is_detection_plus_the_days_of_its_kind_in_sql_and_in_python(leader, kind, days):
    incident = services.incident_create(by=leader, data=_data(serious=True, serious_kind=kind))
    expected = incident.detected_at + datetime.timedelta(days=days)
    assert incident.report_due == expected  # computed on the record
    assert Incident.objects.with_deadline().get(pk=incident.pk).report_due == expected  # annotated by SQL
    assert REPORT_WITHIN_DAYS[SeriousKind(kind)] == days


def test_a_non_serious_incident_has_no_deadline_and_no_countdown(leader):
    incident = services.incident_create(by=leader, data=_data())
    assert incident.report_due is None
    assert Incident.objects.with_deadline().get(pk=incident.pk).report_due is None
    assert incident.report_countdown == "" and not incident.report_overdue


def test_the_deadline_is_never_typed(leader):
    incident = services.incident_create(by=leader, data=_data(serious=True, serious_kind="death"))
    assert "report_due" not in {f.name for f in Incident._meta.get_fields()}
    with pytest.raises(TypeError):  # not a model field: nothing to type into
        services.incident_create(by=leader, data=_data(serious=True, serious_kind="death", report_due=NOW()))
    assert Incident.objects.count() == 1 and incident.report_due == incident.detected_at + datetime.timedelta(days=10)


def test_overdue_and_urgent_follow_the_clock(leader):
    now = NOW()
    overdue = services.incident_create(
        by=leader,
        data=_data(
            serious=True,
            serious_kind="critical_infrastructure",
            occurred_at=now - datetime.timedelta(days=4),
            detected_at=now - datetime.timedelta(days=3),
        ),
    )
    urgent = services.incident_create(by=leader, data=_data(serious=True, serious_kind="widespread_infringement"))
    calm = services.incident_create(by=leader, data=_data(serious=True, serious_kind="other_serious"))
    assert overdue.report_overdue and overdue.report_countdown.startswith("overdue by 1 day")
    assert urgent.report_urgent and not urgent.report_overdue and urgent.report_countdown.endswith("left")
    assert not calm.report_urgent and not calm.report_overdue
    assert list(Incident.objects.report_overdue(now)) == [overdue]


# --- dates and kinds -------------------------------------------------------------------------------------
def test_detection_cannot_precede_the_occurrence(leader):
    now = NOW()
    with pytest.raises(ValidationError) as error:
        services.incident_create(by=leader, data=_data(occurred_at=now, detected_at=now - datetime.timedelta(hours=1)))
    assert "detected_at" in error.value.message_dict
    assert not Incident.objects.exists()


def test_detection_and_occurrence_cannot_be_in_the_future(leader):
    later = NOW() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.incident_create(by=leader, data=_data(occurred_at=later, detected_at=later))
    assert {"detected_at", "occurred_at"} <= set(error.value.message_dict)


def test_a_serious_incident_names_its_kind_and_only_a_serious_one_does(leader):
    with pytest.raises(ValidationError) as error:
        services.incident_create(by=leader, data=_data(serious=True))
    assert "serious_kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.incident_create(by=leader, data=_data(serious_kind="death"))
    assert "serious_kind" in error.value.message_dict


def test_the_database_refuses_detection_before_occurrence():
    from django.db import IntegrityError, transaction

    now = NOW()
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(occurred_at=now, detected_at=now - datetime.timedelta(minutes=1))


# --- create, keys, events, history --------------------------------------------------------------------
def test_anyone_with_a_role_but_the_auditor_reports_an_incident(contributor, auditor):
    incident = services.incident_create(by=contributor, data=_data())
    assert incident.key == f"INC-{incident.pk:04d}" and incident.status == "open"
    assert incident.history.get(history_type="+").history_user == contributor
    assert Event.objects.filter(type="incident.created", object_id=incident.pk).exists()
    with pytest.raises(PermissionDenied):
        services.incident_create(by=auditor, data=_data())


def test_a_contributor_reports_but_does_not_edit_or_move(contributor):
    incident = services.incident_create(by=contributor, data=_data())
    with pytest.raises(PermissionDenied):
        services.incident_update(incident, by=contributor, data={"title": "Changed"})
    with pytest.raises(PermissionDenied):
        services.incident_transition(incident=incident, by=contributor, status="investigating")


def test_a_stale_version_is_refused(leader):
    incident = services.incident_create(by=leader, data=_data())
    services.incident_update(incident, by=leader, data={"title": "First"}, version=1)
    with pytest.raises(ConflictError):
        services.incident_update(Incident.objects.get(pk=incident.pk), by=leader, data={"title": "Second"}, version=1)
    assert Incident.objects.get(pk=incident.pk).title == "First"


def test_the_status_is_not_edited_but_moved(leader):
    incident = services.incident_create(by=leader, data=_data())
    with pytest.raises(ValidationError) as error:
        services.incident_update(incident, by=leader, data={"status": "closed"})
    assert "status" in error.value.message_dict


# --- the workflow -----------------------------------------------------------------------------------------
def _closable(leader, **extra):
    incident = services.incident_create(by=leader, data=_data(**extra))
    incident = services.incident_transition(incident=incident, by=leader, status="investigating")
    return services.incident_transition(incident=incident, by=leader, status="mitigated")


def test_moves_follow_the_declared_workflow_one_step_back_allowed(leader):
    incident = services.incident_create(by=leader, data=_data())
    with pytest.raises(TransitionError) as error:
        services.incident_transition(incident=incident, by=leader, status="mitigated")
    assert "from open it may move to: investigating" in error.value.message
    incident = services.incident_transition(incident=incident, by=leader, status="investigating")
    incident = services.incident_transition(incident=incident, by=leader, status="open")
    assert incident.status == "open"
    event = Event.objects.filter(type="incident.status_changed").latest("pk")
    assert event.data["action"] == {"from": "investigating", "to": "open"}


def test_an_unknown_status_is_a_field_error(leader):
    incident = services.incident_create(by=leader, data=_data())
    with pytest.raises(ValidationError) as error:
        services.incident_transition(incident=incident, by=leader, status="done")
    assert "status" in error.value.message_dict


def test_closing_needs_root_cause_and_lessons_learned(leader):
    incident = _closable(leader)
    with pytest.raises(TransitionError) as error:
        services.incident_transition(incident=incident, by=leader, status="closed")
    assert error.value.details == [
        "Write the root cause before closing the incident.",
        "Write the lessons learned before closing the incident.",
    ]
    incident = services.incident_update(incident, by=leader, data={"root_cause": "Drift", "lessons_learned": "Watch"})
    incident = services.incident_transition(incident=incident, by=leader, status="closed")
    assert Incident.objects.get(pk=incident.pk).status == "closed"


def test_a_serious_incident_cannot_close_before_it_is_reported(leader, governance):
    incident = _closable(leader, serious=True, serious_kind="death", root_cause="Bug", lessons_learned="Test")
    with pytest.raises(TransitionError) as error:
        services.incident_transition(incident=incident, by=leader, status="closed")
    assert "before it is reported to the authority" in error.value.message
    incident = services.incident_report(incident=incident, by=governance, authority_reference="MSA-1")
    incident = services.incident_transition(incident=incident, by=leader, status="closed")
    assert incident.status == "closed"


def test_a_closed_incident_keeps_its_root_cause(leader):
    incident = _closable(leader, root_cause="Bug", lessons_learned="Test")
    incident = services.incident_transition(incident=incident, by=leader, status="closed")
    with pytest.raises(ValidationError):
        services.incident_update(incident, by=leader, data={"root_cause": ""})


# --- the report ---------------------------------------------------------------------------------------------
def test_reporting_records_who_when_and_the_reference_and_emits_incident_reported(leader, governance):
    incident = services.incident_create(by=leader, data=_data(serious=True, serious_kind="death"))
    when = NOW() - datetime.timedelta(minutes=30)
    incident = services.incident_report(incident=incident, by=governance, reported_at=when, authority_reference="R-7")
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.reported_to_authority_at == when and stored.authority_reference == "R-7"
    assert stored.reported_by == governance and stored.version == 2
    event = Event.objects.get(type="incident.reported", object_id=incident.pk)
    assert event.data["serious"] is True and event.data["authority_reference"] == "R-7"
    assert stored.history.latest().history_user == governance
    with pytest.raises(TransitionError):
        services.incident_report(incident=stored, by=governance)


def test_only_a_serious_incident_is_reported_and_never_before_detection_or_in_the_future(leader):
    plain = services.incident_create(by=leader, data=_data())
    with pytest.raises(TransitionError):
        services.incident_report(incident=plain, by=leader)
    serious = services.incident_create(by=leader, data=_data(serious=True, serious_kind="death"))
    for when in (serious.detected_at - datetime.timedelta(hours=1), NOW() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.incident_report(incident=serious, by=leader, reported_at=when)
        assert "reported_at" in error.value.message_dict
    assert Incident.objects.get(pk=serious.pk).reported_to_authority_at is None


def test_a_reported_incident_stays_serious(leader):
    incident = services.incident_create(by=leader, data=_data(serious=True, serious_kind="death"))
    incident = services.incident_report(incident=incident, by=leader)
    with pytest.raises(ValidationError) as error:
        services.incident_update(incident, by=leader, data={"serious": False, "serious_kind": ""})
    assert "serious" in error.value.message_dict


# --- raising a risk -----------------------------------------------------------------------------------------
def test_a_risk_raised_from_an_incident_is_prefilled_and_linked_both_ways(leader):
    system = AISystemFactory()
    incident = services.incident_create(by=leader, data=_data(category="bias_fairness", ai_systems=[system]))
    prefill = services.risk_prefill(incident)
    assert prefill["category"] == "bias_fairness" and prefill["ai_system"] == system
    assert prefill["initiative"] == system.initiative
    risk = services.risk_raise_from_incident(
        incident=incident, by=leader, data={**prefill, "likelihood": 3, "impact": 4}
    )
    assert list(incident.risks.all()) == [risk]
    assert list(Risk.objects.get(pk=risk.pk).incidents.all()) == [incident]
    assert Incident.objects.get(pk=incident.pk).version == 2


# --- vendors ----------------------------------------------------------------------------------------------
def test_vendor_data_locations_are_iso_country_codes(leader):
    vendor = vendor_services.vendor_create(by=leader, data={"name": "Acme", "data_locations": ["de", "IE", "DE"]})
    assert vendor.data_locations == ["DE", "IE"]
    assert vendor.data_location_names == ["Germany (DE)", "Ireland (IE)"]
    with pytest.raises(ValidationError) as error:
        vendor_services.vendor_create(by=leader, data={"name": "Bad", "data_locations": ["XX", "EU"]})
    assert "data_locations" in error.value.message_dict
    assert not Vendor.objects.filter(name="Bad").exists()


def test_only_a_third_party_risk_names_a_vendor(leader):
    vendor = VendorFactory()
    system = AISystemFactory()
    base = {"title": "Vendor outage", "ai_system": system, "likelihood": 2, "impact": 3, "vendor": vendor}
    with pytest.raises(ValidationError) as error:
        risk_services.risk_create(by=leader, data={**base, "category": "security"})
    assert "vendor" in error.value.message_dict
    risk = risk_services.risk_create(by=leader, data={**base, "category": "third_party"})
    assert risk.vendor == vendor
    with pytest.raises(ValidationError):
        risk_services.risk_update(risk, by=leader, data={"category": "privacy"})


def test_a_vendor_named_by_a_system_is_not_deleted(leader):
    vendor = VendorFactory()
    AISystemFactory(vendor=vendor)
    with pytest.raises(ValidationError):
        vendor_services.vendor_delete(vendor, by=leader)
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_contributors_and_auditors_only_read_vendors(contributor, auditor, governance):
    for user in (contributor, auditor):
        with pytest.raises(PermissionDenied):
            vendor_services.vendor_create(by=user, data={"name": "No"})
    assert vendor_services.vendor_create(by=governance, data={"name": "Yes"}).pk


def test_review_and_contract_end_queries(leader):
    today = timezone.localdate()
    late = VendorFactory(next_review_date=today - datetime.timedelta(days=1))
    ending = VendorFactory(contract_end_date=today + datetime.timedelta(days=90))
    VendorFactory(contract_end_date=today + datetime.timedelta(days=91))
    VendorFactory(contract_end_date=today, status="offboarded")
    assert list(Vendor.objects.review_overdue(today)) == [late]
    assert list(Vendor.objects.contract_ending(today)) == [ending]


def test_risk_factory_still_builds():
    assert RiskFactory().key.startswith("RSK-")


# --- demo data --------------------------------------------------------------------------------------------
def test_demo_has_a_serious_incident_near_its_deadline_and_a_vendor_under_review(monkeypatch):
    from governance import demo_incidents, demo_risks
    from initiatives import demo_portfolio
    from leadership import demo

    monkeypatch.setattr(demo, "DEMO_MODULES", (demo_portfolio, demo_risks, demo_incidents))
    demo.create_demo()
    pending = [i for i in Incident.objects.with_deadline().report_pending() if i.report_urgent]
    assert pending and pending[0].severity == "critical"
    assert Vendor.objects.filter(status="proposed").exists()
    assert Incident.objects.filter(status="closed").exclude(lessons_learned="").exists()
    assert Incident.objects.exclude(reported_to_authority_at=None).exists()
