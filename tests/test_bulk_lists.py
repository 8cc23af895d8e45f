"""Bulk actions on the other lists (vpportal/core/bulk.py, the mechanism of the risk and initiative
lists): mitigations (owner, status, due date), AI systems (owner, lifecycle), KPIs, incidents and
policies (owner). Each ticked row goes through the model's update service, so each gets one history
entry and one event; workflow moves (an incident's status) and derived dates (a policy's next
review) are not offered. The query count is fixed plus exactly one single edit per row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.choices import IncidentStatus, Lifecycle, MitigationStatus
from governance.services.incidents import incident_update
from governance.services.policies import policy_update
from governance.services.risks import aisystem_update, mitigation_update
from initiatives.services.portfolio import kpi_update
from tests.conftest import page_client
from tests.factories.incidents import IncidentFactory
from tests.factories.people import PersonFactory
from tests.factories.policies import PolicyFactory
from tests.factories.portfolio import KPIFactory
from tests.factories.risks import AISystemFactory, MitigationFactory
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db

# url namespace, model name, factory, update service, the fields offered in bulk
LISTS = {
    "mitigation": ("governance", MitigationFactory, mitigation_update, ["owner", "status", "due_date"]),
    "aisystem": ("governance", AISystemFactory, aisystem_update, ["owner", "lifecycle_status"]),
    "kpi": ("initiatives", KPIFactory, kpi_update, ["owner"]),
    "incident": ("governance", IncidentFactory, incident_update, ["owner"]),
    "policy": ("governance", PolicyFactory, policy_update, ["owner"]),
}
EVENT_TYPES = {"aisystem": "ai_system"}


def urls(kind):
    namespace = LISTS[kind][0]
    return reverse(f"{namespace}:{kind}_bulk"), reverse(f"{namespace}:{kind}_list")


def post(client, kind, rows, action, **values):
    bulk, _ = urls(kind)
    return client.post(bulk, {"ids": [r.pk for r in rows], "action": action, "query": "q=x", **values})


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize("kind", LISTS)
def test_the_list_offers_its_bulk_fields_to_those_who_may_change_its_rows(personas, kind):
    _, factory, _, fields = LISTS[kind]
    bulk, list_url = urls(kind)
    row = factory()
    response = page_client(personas["executive"]).get(list_url)
    body = response.content.decode()
    assert f'name="ids" value="{row.pk}"' in body and f'action="{bulk}"' in body
    assert list(response.context["bulk_form"].bulk_fields) == fields
    body = page_client(personas["auditor"]).get(list_url).content.decode()  # reads, never changes
    assert 'name="ids"' not in body and bulk not in body


@pytest.mark.parametrize("kind", LISTS)
def test_bulk_owner_change_writes_one_history_entry_and_one_event_per_row(executive, kind):
    _, factory, _, _ = LISTS[kind]
    rows = factory.create_batch(3)
    owner = PersonFactory(name="New Owner")
    response = post(page_client(executive), kind, rows[:2], "owner", owner=owner.pk)
    assert response.status_code == 302 and response["Location"] == urls(kind)[1] + "?q=x"
    plural = rows[0]._meta.verbose_name_plural
    assert messages_of(response) == [f"Owner changed on 2 {plural}."]
    for row in rows[:2]:
        row.refresh_from_db()
        assert row.owner == owner and row.version == 2
        history = row.history.order_by("-history_id")
        assert history.count() == 2
        assert (history[0].history_type, history[0].history_user, history[0].owner_id) == ("~", executive, owner.pk)
        event = f"{EVENT_TYPES.get(kind, kind)}.updated"
        assert Event.objects.filter(type=event, object_id=row.pk, actor=executive).count() == 1
    rows[2].refresh_from_db()
    assert rows[2].owner != owner and rows[2].history.count() == 1


def test_mitigations_change_status_and_due_date_in_bulk(governance):
    mitigations = MitigationFactory.create_batch(2, status=MitigationStatus.PLANNED)
    client = page_client(governance)
    post(client, "mitigation", mitigations, "status", status=MitigationStatus.IMPLEMENTED)
    response = post(client, "mitigation", mitigations, "due_date", due_date="2027-03-31")
    assert messages_of(response) == ["Status changed on 2 mitigations.", "Due date changed on 2 mitigations."]
    for mitigation in mitigations:
        mitigation.refresh_from_db()
        assert (mitigation.status, mitigation.due_date) == (MitigationStatus.IMPLEMENTED, datetime.date(2027, 3, 31))
        assert mitigation.history.count() == 3  # created, status, due date


def test_a_choice_starts_unchosen_so_a_stray_click_changes_nothing(governance):
    mitigation = MitigationFactory(status=MitigationStatus.IMPLEMENTED)
    client = page_client(governance)
    field = client.get(urls("mitigation")[1]).context["bulk_form"]["status"]
    assert '<option value="" selected>Choose one</option>' in str(field)
    response = post(client, "mitigation", [mitigation], "status", status="")
    assert messages_of(response) == ["Status: Choose the new value."]
    mitigation.refresh_from_db()
    assert (mitigation.status, mitigation.version) == (MitigationStatus.IMPLEMENTED, 1)


def test_ai_systems_change_lifecycle_in_bulk(leader):
    systems = AISystemFactory.create_batch(2)
    response = post(page_client(leader), "aisystem", systems, "lifecycle_status", lifecycle_status=Lifecycle.RETIRED)
    assert messages_of(response) == ["Lifecycle status changed on 2 AI systems."]
    assert {s.lifecycle_status for s in type(systems[0]).objects.all()} == {Lifecycle.RETIRED}


def test_workflow_moves_and_derived_dates_are_not_bulk_actions(executive):
    incident = IncidentFactory()
    response = post(page_client(executive), "incident", [incident], "status", status=IncidentStatus.CLOSED)
    assert messages_of(response) == ["Select a valid choice. status is not one of the available choices."]
    incident.refresh_from_db()
    assert (incident.status, incident.version) == (IncidentStatus.OPEN, 1)
    policy = PolicyFactory()
    response = post(page_client(executive), "policy", [policy], "next_review_date", next_review_date="2027-01-01")
    assert messages_of(response) == ["Select a valid choice. next_review_date is not one of the available choices."]
    policy.refresh_from_db()
    assert (policy.next_review_date, policy.version) == (None, 1)


@pytest.mark.parametrize("kind", LISTS)
def test_readers_are_refused_and_nothing_changes(auditor, kind):
    row = LISTS[kind][1]()
    response = post(page_client(auditor), kind, [row], "owner", owner=PersonFactory().pk)
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.version == 1


@pytest.mark.parametrize("kind", LISTS)
def test_export_of_the_selection_holds_only_the_ticked_rows(auditor, kind):
    factory = LISTS[kind][1]
    chosen, other = factory(), factory()
    response = page_client(auditor).post(urls(kind)[0], {"ids": [chosen.pk], "action": "csv"})
    assert response.status_code == 200 and "-selected-" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert len(body.strip().splitlines()) == 2, body  # the header and the one ticked row
    del other


# session, user, roles, the chosen owner (form validation), the selected rows (one query), plus the
# relations the selection prefetches once for all rows (with_related: requirements, AI systems)
FIXED = 5
PREFETCHED = {"mitigation": 1, "incident": 1, "policy": 1}
SAVEPOINT = 2  # each row's own savepoint (SAVEPOINT, RELEASE), so a refused row leaves no trace


def _bulk_queries(client, kind, rows, owner):
    with CaptureQueriesContext(connection) as queries:
        post(client, kind, rows, "owner", owner=owner.pk)
    return len(queries)


@pytest.mark.parametrize("kind", LISTS)
def test_a_bulk_post_runs_one_single_edit_per_row_and_nothing_more(executive, kind):
    _, factory, update, _ = LISTS[kind]
    client = page_client(executive)
    owners = PersonFactory.create_batch(4)
    two, five = factory.create_batch(2), factory.create_batch(5)
    _bulk_queries(client, kind, two, owners[0])  # warm the session
    model = type(two[0])
    single = model.objects.with_related().get(pk=factory().pk)
    assert executive.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")  # roles read once
    with CaptureQueriesContext(connection) as one_edit:
        update(single, by=executive, data={"owner": owners[3]})
    per_row, fixed = len(one_edit) + SAVEPOINT, FIXED + PREFETCHED.get(kind, 0)
    assert _bulk_queries(client, kind, two, owners[1]) == fixed + 2 * per_row
    assert _bulk_queries(client, kind, five, owners[2]) == fixed + 5 * per_row
    assert model.objects.filter(owner=owners[2]).count() == 5
