"""Bulk actions on the initiative list (vpportal/core/bulk.py): owner and target date through
initiative_update, row by row; a row its date rule refuses is reported and unchanged."""

import datetime

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from tests.conftest import page_client
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory
from vpportal.events.models import Event

pytestmark = pytest.mark.django_db
BULK = reverse("initiatives:initiative_bulk")
LIST = reverse("initiatives:initiative_list")


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.mark.parametrize(
    "role, shown", [("executive", True), ("leader", True), ("governance", False), ("auditor", False)]
)
def test_checkboxes_only_for_users_who_may_change_initiatives(personas, role, shown):
    initiative = InitiativeFactory()
    body = page_client(personas[role]).get(LIST).content.decode()
    assert (f'name="ids" value="{initiative.pk}"' in body) is shown


def test_bulk_owner_change_writes_history_per_row(leader):
    initiatives = InitiativeFactory.create_batch(2)
    owner = PersonFactory()
    response = page_client(leader).post(
        BULK, {"ids": [i.pk for i in initiatives], "action": "owner", "owner": owner.pk}
    )
    assert messages_of(response) == ["Owner changed on 2 initiatives."]
    for initiative in initiatives:
        initiative.refresh_from_db()
        assert (initiative.owner, initiative.history.order_by("-history_id").first().history_user) == (owner, leader)
        assert Event.objects.filter(type="initiative.updated", object_id=initiative.pk).count() == 1


def test_the_owner_is_required_and_a_target_before_the_start_is_refused_per_row(executive):
    late = InitiativeFactory(start_date=datetime.date(2027, 3, 1))
    early = InitiativeFactory(start_date=datetime.date(2026, 1, 1))
    client = page_client(executive)
    assert messages_of(client.post(BULK, {"ids": [late.pk], "action": "owner", "owner": ""})) == [
        "Owner: Choose the new value."
    ]
    response = page_client(executive).post(
        BULK, {"ids": [late.pk, early.pk], "action": "target_date", "target_date": "2027-01-01"}
    )
    shown = messages_of(response)
    assert shown[0] == "Target date changed on 1 initiative."
    assert shown[1].startswith(f"{late} not changed: ")
    late.refresh_from_db()
    early.refresh_from_db()
    assert (early.target_date, late.version) == (datetime.date(2027, 1, 1), 1)
    assert Initiative.objects.get(pk=late.pk).target_date != datetime.date(2027, 1, 1)


def test_governance_may_not_change_initiatives_in_bulk(governance):
    initiative = InitiativeFactory()
    response = page_client(governance).post(
        BULK, {"ids": [initiative.pk], "action": "owner", "owner": PersonFactory().pk}
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.version == 1
