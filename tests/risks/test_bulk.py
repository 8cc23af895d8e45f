"""Bulk actions on the risk list (vpportal/core/bulk.py): the ticked rows get one change through
risk_update, the service of the edit page, row by row; refused rows are reported and unchanged."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.choices import RiskStatus
from governance.models import Risk
from governance.services.risks import risk_update
from tests.conftest import page_client
from tests.factories.people import PersonFactory
from tests.factories.risks import RiskFactory
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db
BULK = reverse("governance:risk_bulk")
LIST = reverse("governance:risk_list")


def post(client, risks, action, **values):
    return client.post(BULK, {"ids": [r.pk for r in risks], "action": action, "query": "status=identified", **values})


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize(
    "role, shown",
    [("executive", True), ("leader", True), ("governance", True), ("contributor", False), ("auditor", False)],
)
def test_checkboxes_only_for_users_who_may_change_risks(personas, role, shown):
    risk = RiskFactory()
    response = page_client(personas[role]).get(LIST)
    body = response.content.decode()
    assert (f'name="ids" value="{risk.pk}"' in body) is shown
    assert (BULK in body) is shown
    if shown:  # accepting needs a justification, on the risk's own page
        offered = [value for value, _ in response.context["bulk_form"].fields["status"].choices]
        assert offered == ["", "identified", "assessed", "mitigating", "closed"]  # "" is "Choose one"
        assert '<option value="accepted"' not in str(response.context["bulk_form"]["status"])


def test_bulk_owner_change_writes_history_and_an_event_per_row(leader):
    risks = RiskFactory.create_batch(3)
    new_owner = PersonFactory(name="New Owner")
    response = post(page_client(leader), risks[:2], "owner", owner=new_owner.pk)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=identified"
    assert messages_of(response) == ["Owner changed on 2 risks."]
    for risk in risks[:2]:
        risk.refresh_from_db()
        assert risk.owner == new_owner and risk.version == 2
        latest = risk.history.order_by("-history_id").first()
        assert (latest.history_type, latest.history_user, latest.owner_id) == ("~", leader, new_owner.pk)
        assert Event.objects.filter(type="risk.updated", object_id=risk.pk, actor=leader).count() == 1
    risks[2].refresh_from_db()
    assert risks[2].owner != new_owner and risks[2].history.count() == 1


def test_a_row_the_workflow_refuses_is_reported_and_unchanged_the_others_applied(governance):
    open_risk = RiskFactory(status=RiskStatus.IDENTIFIED)
    closed = RiskFactory(status=RiskStatus.CLOSED)  # closed -> mitigating is not a declared move
    response = post(page_client(governance), [open_risk, closed], "status", status=RiskStatus.MITIGATING)
    assert messages_of(response) == [
        "Status changed on 1 risk.",
        f"{closed} not changed: A risk cannot move from Closed to Mitigating.",
    ]
    open_risk.refresh_from_db()
    closed.refresh_from_db()
    assert open_risk.status == RiskStatus.MITIGATING
    assert (closed.status, closed.version, closed.history.count()) == (RiskStatus.CLOSED, 1, 1)


def test_accepting_in_bulk_is_refused_per_row(executive):
    risk = RiskFactory()
    response = post(page_client(executive), [risk], "status", status=RiskStatus.ACCEPTED)
    assert messages_of(response) == ["Status: Select a valid choice. accepted is not one of the available choices."]
    risk.refresh_from_db()
    assert risk.status == RiskStatus.IDENTIFIED


@pytest.mark.parametrize("role", ["contributor", "auditor", "outsider"])
def test_users_who_may_not_change_risks_are_refused_and_nothing_changes(personas, role):
    risk = RiskFactory()
    owner = risk.owner
    response = post(page_client(personas[role]), [risk], "owner", owner=PersonFactory().pk)
    assert response.status_code == 403
    risk.refresh_from_db()
    assert (risk.owner, risk.version) == (owner, 1)


def test_anonymous_is_sent_to_sign_in(db):
    risk = RiskFactory()
    response = post(Client(), [risk], "next_review_date", next_review_date="2027-01-01")
    assert response.status_code == 302 and "login" in response["Location"]
    risk.refresh_from_db()
    assert risk.next_review_date is None


def test_bulk_post_needs_the_csrf_token(leader):
    risk = RiskFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    response = post(client, [risk], "next_review_date", next_review_date="2027-01-01")
    assert response.status_code == 403
    risk.refresh_from_db()
    assert risk.next_review_date is None
    page = client.get(LIST)
    token = page.context["csrf_token"]
    response = client.post(
        BULK,
        {
            "ids": [risk.pk],
            "action": "next_review_date",
            "next_review_date": "2027-01-01",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.next_review_date == datetime.date(2027, 1, 1)


def test_bad_input_is_a_message_not_a_500(leader):
    risk = RiskFactory()
    assert messages_of(post(page_client(leader), [], "owner", owner=PersonFactory().pk)) == ["Select at least one row."]
    assert messages_of(post(page_client(leader), [risk], "next_review_date", next_review_date="not a date")) == [
        "Next review date: Enter a valid date."
    ]
    assert messages_of(post(page_client(leader), [risk], "owner", owner=999999)) == [
        "Owner: Select a valid choice. That choice is not one of the available choices."
    ]
    assert post(page_client(leader), [risk], "nonsense").status_code == 302
    response = page_client(leader).post(BULK, {"ids": ["x"], "action": "owner"})
    assert messages_of(response) == ["Select rows of the list."]
    risk.refresh_from_db()
    assert risk.version == 1


def test_export_of_the_selection_is_the_list_export_of_those_rows(auditor):
    chosen = RiskFactory(title="Chosen risk")
    RiskFactory(title="Other risk")
    response = page_client(auditor).post(BULK, {"ids": [chosen.pk], "action": "csv"})
    assert response.status_code == 200
    assert 'filename="risks-selected-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Chosen risk" in body and "Other risk" not in body
    full = page_client(auditor).get(LIST, {"export": "csv"})
    full_body = b"".join(full.streaming_content).decode() if full.streaming else full.content.decode()
    assert body.splitlines()[0] == full_body.splitlines()[0]  # the same columns as the list's export


def bulk_queries(client, risks, owner):
    with CaptureQueriesContext(connection) as queries:
        post(client, risks, "owner", owner=owner.pk)
    return len(queries)


# session, user, roles, the chosen owner (form validation), the selected rows (one query)
FIXED = 5
SAVEPOINT = 2  # each row's own savepoint (SAVEPOINT, RELEASE), so a refused row leaves no trace


def test_bulk_post_runs_a_single_edit_per_row_and_nothing_more(leader):
    """Rows are not written in one UPDATE on purpose: each goes through risk_update (version check,
    validation, history, event), as its edit page does. So the count grows with the rows, by exactly
    the queries of one risk_update plus its savepoint; the rest is fixed (the selection is one read)."""
    client = page_client(leader)
    owners = PersonFactory.create_batch(4)
    two, six = RiskFactory.create_batch(2), RiskFactory.create_batch(6)
    bulk_queries(client, two, owners[0])  # warm the session
    single = Risk.objects.with_related().get(pk=RiskFactory().pk)
    assert leader.has_perm("governance.change_risk")  # the roles are read once per request, as in the page
    with CaptureQueriesContext(connection) as one_edit:
        risk_update(single, by=leader, data={"owner": owners[3]})
    per_row = len(one_edit) + SAVEPOINT
    assert bulk_queries(client, two, owners[1]) == FIXED + 2 * per_row
    assert bulk_queries(client, six, owners[2]) == FIXED + 6 * per_row
    assert Risk.objects.filter(owner=owners[2]).count() == 6
