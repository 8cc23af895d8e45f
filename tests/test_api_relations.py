"""Relations in the API (vpportal/core/api_relations.py): an id and a `<name>_display` text for each
related record, Person ids for every person-valued field (the login beside it as `<name>_user`),
from the same query as the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Risk
from tests.conftest import api_client, make_persona
from tests.factories.people import PersonFactory, UserFactory
from tests.factories.risks import AISystemFactory, RiskFactory
from vpportal.core.services import update_record


@pytest.fixture
def executive(db):
    return make_persona("executive")


def risks_written_by(user, n):
    system = AISystemFactory(name="Churn scorer")
    owner = PersonFactory(name="Grace Hopper")
    risks = RiskFactory.create_batch(n, ai_system=system, owner=owner)
    for risk in risks:
        Risk.objects.filter(pk=risk.pk).update(created_by=user, updated_by=user)
    return system, owner, risks


def test_a_list_names_each_relation_beside_its_id(executive):
    system, owner, _ = risks_written_by(executive, 2)
    row = api_client(executive).get("/api/v1/risks/").json()["results"][0]
    assert (row["ai_system"], row["ai_system_display"]) == (system.pk, "Churn scorer")
    assert (row["owner"], row["owner_display"]) == (owner.pk, "Grace Hopper")
    assert row["initiative"] is None and row["initiative_display"] is None
    # created_by is a Person id like owner; the login is created_by_user.
    assert (row["created_by"], row["created_by_user"], row["created_by_display"]) == (
        executive.person.pk,
        executive.pk,
        "Executive Persona",
    )


def test_a_key_and_title_read_together_and_a_login_without_a_person_reads_its_username(executive):
    system = AISystemFactory()
    initiative = system.initiative
    bot = UserFactory(username="ticket-sync", roles=["leader"])
    risk = RiskFactory(ai_system=system, initiative=initiative)
    update_record(risk, by=bot, data={"title": "Changed by the sync job"})
    row = api_client(executive).get(f"/api/v1/risks/{risk.pk}/").json()
    assert row["initiative_display"] == f"{initiative.key} {initiative.title}"
    assert (row["updated_by"], row["updated_by_user"], row["updated_by_display"]) == (None, bot.pk, "ticket-sync")


def test_the_texts_cost_no_query_per_row(executive):
    risks_written_by(executive, 2)
    client = api_client(executive)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/risks/")
    risks_written_by(executive, 12)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/api/v1/risks/").json()
    assert page["count"] == 14 and all(row["owner_display"] == "Grace Hopper" for row in page["results"])
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_record_answered_by_another_resource_has_the_same_texts(executive):
    # The incident's raise-risk action answers a risk it did not read through the risks list.
    from tests.factories.incidents import IncidentFactory

    system = AISystemFactory(name="Triage bot")
    incident = IncidentFactory(ai_systems=[system])
    client = api_client(executive)
    raised = client.post(
        f"/api/v1/incidents/{incident.pk}/raise-risk/", {"category": "robustness", "likelihood": 3, "impact": 3}
    )
    assert raised.status_code == 201, raised.json()
    listed = client.get(f"/api/v1/risks/{raised.json()['id']}/").json()
    for name in ("ai_system_display", "owner_display", "created_by", "created_by_user", "created_by_display"):
        assert raised.json()[name] == listed[name], name
    assert listed["created_by"] == executive.person.pk
