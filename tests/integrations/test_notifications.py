"""Notifications: the people an event concerns are told (in the portal, by email at once or in the
daily digest), once per event and person; each person reads and marks their own."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.services.incidents import incident_create, incident_report, incident_update
from governance.services.policies import policyversion_submit
from governance.services.risks import risk_accept, risk_update
from initiatives.services.portfolio import initiative_transition
from integrations.dispatch import fan_out_notifications
from integrations.emails import send_immediate
from integrations.models import Notification
from integrations.services import set_email_preference, webhook_disable
from leadership.digest import send_digests
from tests.conftest import api_client, page_client
from tests.factories.policies import PolicyFactory, PolicyVersionFactory
from tests.factories.portfolio import InitiativeFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from tests.integrations.test_webhooks import subscribe
from vpportal.people.models import Person

pytestmark = pytest.mark.django_db


def told(user):
    return list(Notification.objects.for_user(user).values_list("verb", flat=True))


def create_risk(by, owner):
    data = {"title": "Drift", "category": "robustness", "ai_system": AISystemFactory().pk, "likelihood": 3}
    response = api_client(by).post("/api/v1/risks/", data | {"impact": 4, "owner": owner.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_submitted_version_reaches_the_reviewers_but_not_its_author(governance, executive, leader):
    from tests.factories.people import PersonFactory, UserFactory

    reviewer = UserFactory(username="reviewer-n", roles=["governance"])
    PersonFactory(user=reviewer)
    version = PolicyVersionFactory(author=governance, policy=PolicyFactory(), body="# Text")
    policyversion_submit(version=version, by=governance)
    fan_out_notifications()
    assert told(reviewer) == ["review"]
    assert told(governance) == [] and told(leader) == [] and told(executive) == []
    fan_out_notifications()
    assert Notification.objects.count() == 1  # once per event and person


def test_an_owner_is_told_when_assigned_and_not_on_other_edits(leader, contributor, auditor):
    owner = Person.objects.of_user(contributor)
    risk = create_risk(leader, owner)
    fan_out_notifications()
    (notification,) = Notification.objects.for_user(contributor)
    assert notification.verb == "assigned" and risk["key"] in notification.text
    assert notification.url.endswith(f"/{risk['id']}/")
    from governance.models import Risk

    stored = Risk.objects.get(pk=risk["id"])
    risk_update(stored, by=leader, data={"title": "Drift, measured"})
    fan_out_notifications()
    assert told(contributor) == ["assigned"]
    risk_update(Risk.objects.get(pk=risk["id"]), by=leader, data={"owner": Person.objects.of_user(auditor)})
    fan_out_notifications()
    assert told(auditor) == ["assigned"]


def test_acceptance_and_gate_overrides_reach_the_executives(governance, executive, leader):
    risk_accept(risk=RiskFactory(status="assessed"), by=governance, justification="Low impact")
    initiative_transition(
        initiative=InitiativeFactory(stage="poc"), by=executive, stage="pilot", override_justification="Board"
    )
    fan_out_notifications()
    assert told(executive) == ["accepted"]  # the override was the executive's own action
    assert told(leader) == []


def test_an_approval_asks_everyone_to_acknowledge_and_a_serious_report_reaches_the_executives(
    governance, executive, leader, contributor
):
    from governance.services.incidents import incident_report
    from governance.services.policies import policyversion_approve
    from tests.factories.incidents import IncidentFactory
    from tests.factories.people import PersonFactory, UserFactory

    approver = UserFactory(username="approver-n", roles=["governance"])
    PersonFactory(user=approver)
    version = PolicyVersionFactory(author=governance, policy=PolicyFactory(), body="# Text")
    policyversion_submit(version=version, by=governance)
    version.refresh_from_db()
    policyversion_approve(version=version, by=approver)
    incident = IncidentFactory(serious=True, serious_kind="other_serious", severity="high")
    incident_report(incident=incident, by=leader, authority_reference="MSA-1")
    fan_out_notifications()
    for user in (governance, executive, leader, contributor):  # every active person with an account
        assert "acknowledge" in told(user), user
    assert "acknowledge" not in told(approver)  # their own approval
    assert "incident_reported" in told(executive) and "incident_reported" not in told(leader)


def test_a_mitigation_milestone_and_incident_assigned_tell_their_owner(leader, contributor):
    from governance.services.incidents import incident_create
    from governance.services.risks import mitigation_create
    from initiatives.services.portfolio import milestone_create

    owner = Person.objects.of_user(contributor)
    mitigation_create(by=leader, data={"risk": RiskFactory(), "description": "Retrain monthly", "owner": owner})
    milestone_create(by=leader, data={"initiative": InitiativeFactory(owner=owner), "title": "Pilot live"})
    incident_create(
        by=leader,
        data={
            "title": "Wrong answers",
            "severity": "low",
            "occurred_at": timezone.now(),
            "detected_at": timezone.now(),
            "owner": owner,
        },
    )
    fan_out_notifications()
    texts = list(Notification.objects.for_user(contributor).order_by("id").values_list("text", flat=True))
    kinds = [next(k for k in ("mitigation", "milestone", "incident") if f" {k} " in t) for t in texts]
    assert kinds == ["mitigation", "milestone", "incident"] and "Pilot live" in texts[1]
    assert told(contributor) == ["assigned"] * 3


def test_a_serious_incident_reaches_the_executives_and_its_owner_when_first_recorded(
    executive, governance, leader, contributor, auditor
):
    detected = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    incident = incident_create(
        by=contributor,  # anyone with a role reports one
        data={
            "title": "Grid forecaster cut a district",
            "severity": "critical",
            "occurred_at": detected - datetime.timedelta(hours=1),
            "detected_at": detected,
            "serious": True,
            "serious_kind": "critical_infrastructure",
            "owner": Person.objects.of_user(governance),
        },
    )
    fan_out_notifications()
    due = (detected + datetime.timedelta(days=2)).astimezone(datetime.UTC)
    for user in (executive, governance):
        (notification,) = Notification.objects.for_user(user)
        assert notification.verb == "serious_incident", user
        assert notification.text == (
            f"Serious incident {incident.key} recorded (serious disruption of critical infrastructure): it must "
            f"be reported to the authority by {due.day} {due:%b %Y, %H:%M} UTC (Article 73)."
        )
        assert notification.url.endswith(f"/{incident.pk}/")
    assert told(contributor) == [] and told(leader) == [] and told(auditor) == []

    incident = incident_update(incident, by=leader, data={"title": "Grid forecaster cut two districts"})
    fan_out_notifications()  # still the same serious incident: nobody is told again
    assert told(executive) == ["serious_incident"] and told(governance) == ["serious_incident"]

    incident_report(incident=incident, by=governance, authority_reference="MSA-1")
    fan_out_notifications()
    assert sorted(told(executive)) == ["incident_reported", "serious_incident"]
    assert told(governance) == ["serious_incident"]  # the report was their own action


def test_an_incident_marked_serious_later_reaches_the_executives_then(executive, leader, contributor):
    now = timezone.now()
    incident = incident_create(
        by=contributor,
        data={
            "title": "Wrong refunds",
            "severity": "medium",
            "occurred_at": now - datetime.timedelta(hours=3),
            "detected_at": now - datetime.timedelta(hours=2),
            "owner": Person.objects.of_user(leader),
        },
    )
    fan_out_notifications()
    assert told(leader) == ["assigned"] and told(executive) == []  # not serious: the owner only
    incident_update(incident, by=leader, data={"serious": True, "serious_kind": "other_serious"})
    fan_out_notifications()
    (notification,) = Notification.objects.for_user(executive)
    assert notification.verb == "serious_incident" and "(other serious harm" in notification.text
    assert told(leader) == ["assigned"]  # the owner marked it serious themselves


def test_a_disabled_webhook_tells_its_owner(governance, receiver, private_targets):
    webhook, _ = subscribe(governance, receiver)
    webhook_disable(webhook, reason="A day of 500s")
    fan_out_notifications()
    (notification,) = Notification.objects.for_user(governance)
    assert notification.verb == "webhook_disabled" and "A day of 500s" in notification.text


def test_email_at_once_or_in_the_daily_digest_once_each(leader, contributor, auditor):
    set_email_preference(Person.objects.of_user(contributor), "immediately")
    create_risk(leader, Person.objects.of_user(contributor))
    create_risk(leader, Person.objects.of_user(auditor))  # the auditor keeps the default: the digest
    immediate = fan_out_notifications()
    assert send_immediate(immediate) == 1 and send_immediate(immediate) == 0
    assert [m.to for m in mail.outbox] == [["contributor-user@example.com"]]
    # The daily digest consumes the stream: the fan-out's notifications of people who chose it.
    assert send_digests().notifications == 1 and send_digests().emails == 0
    assert mail.outbox[-1].to == ["auditor-user@example.com"] and "owner of risk RSK-" in mail.outbox[-1].body
    assert "1 notification" in mail.outbox[-1].subject and len(mail.outbox) == 2


def test_each_person_reads_and_marks_their_own(leader, contributor, auditor):
    create_risk(leader, Person.objects.of_user(contributor))
    create_risk(leader, Person.objects.of_user(auditor))
    fan_out_notifications()
    client = api_client(contributor)
    listed = client.get("/api/v1/notifications/").json()["results"]
    assert len(listed) == 1 and listed[0]["read_at"] is None
    others = Notification.objects.for_user(auditor).get()
    assert client.get(f"/api/v1/notifications/{others.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{others.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{listed[0]['id']}/read/").json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=1").json()["results"] == []
    pages = page_client(auditor)
    bell = pages.get(reverse("integrations:notification_bell")).content.decode()
    assert "1" in bell and "unread" in bell
    assert "owner of risk RSK-" in pages.get(reverse("integrations:notifications")).content.decode()
    assert pages.post(reverse("integrations:notifications")).status_code == 302
    assert 'id="unread-count"' not in pages.get(reverse("integrations:notification_bell")).content.decode()
    assert pages.post(reverse("integrations:notifications"), {"email": "never"}).status_code == 302
    assert Person.objects.of_user(auditor).notification_preference.email == "never"


def test_pages_do_not_pay_for_the_bell(leader):
    html = page_client(leader).get(reverse("home")).content.decode()
    assert 'id="notification-bell"' in html and 'data-fill-from="/integrations/notifications/bell/"' in html
