"""External references (vpportal/core/external.py): a ticketing tool's id on the records it mirrors,
unique per tool when set, filterable, and an upsert by it in the API."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import AISystem, Incident, Mitigation, Risk
from initiatives.models import Initiative
from tests.conftest import api_client, make_persona
from tests.factories.incidents import IncidentFactory
from tests.factories.people import PersonFactory
from tests.factories.portfolio import InitiativeFactory
from tests.factories.risks import AISystemFactory, MitigationFactory, RiskFactory

FACTORIES = {
    Initiative: InitiativeFactory,
    AISystem: AISystemFactory,
    Risk: RiskFactory,
    Mitigation: MitigationFactory,
    Incident: IncidentFactory,
}


@pytest.fixture
def executive(db):
    return make_persona("executive")


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_a_reference_is_unique_per_system_when_set(model):
    factory = FACTORIES[model]
    first = factory(external_system="jira", external_id="GOV-1")
    # Unset references are many; the same id in another tool is another reference.
    factory(), factory()
    factory(external_system="servicenow", external_id="GOV-1")
    twin = factory.build(external_system="jira", external_id="GOV-1")
    for name in ("ai_system", "initiative", "owner", "risk"):
        if hasattr(twin, f"{name}_id") and getattr(first, f"{name}_id", None):
            setattr(twin, name, getattr(first, name))
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "already has this external reference" in error.value.message_dict["external_id"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=factory().pk).update(external_system="jira", external_id="GOV-1")


@pytest.mark.django_db
def test_a_reference_is_both_fields_or_neither():
    risk = RiskFactory.build(external_system="jira", external_id="")
    with pytest.raises(ValidationError) as error:
        risk.full_clean(exclude=["ai_system", "owner"])
    assert error.value.message_dict["external_id"] == ["Give both the external system and the external id, or neither."]
    saved = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=saved.pk).update(external_id="GOV-9")


def test_lists_filter_by_reference(executive):
    mirrored = RiskFactory(external_system="jira", external_id="GOV-7")
    RiskFactory(external_system="jira", external_id="GOV-8")
    RiskFactory()
    client = api_client(executive)
    page = client.get("/api/v1/risks/", {"external_system": "jira", "external_id": "GOV-7"}).json()
    assert [row["id"] for row in page["results"]] == [mirrored.pk]
    assert page["results"][0]["external_system"] == "jira" and page["results"][0]["external_id"] == "GOV-7"
    assert client.get("/api/v1/risks/", {"external_system": "jira"}).json()["count"] == 2


def risk_body(system):
    return {"title": "Model drift", "category": "robustness", "ai_system": system.pk, "likelihood": 3, "impact": 4}


def test_the_upsert_creates_then_updates_the_same_record(executive):
    system = AISystemFactory()
    client = api_client(executive)
    url = "/api/v1/risks/external/jira/GOV-142/"
    created = client.put(url, risk_body(system))
    assert created.status_code == 201, created.json()
    risk = Risk.objects.get()
    assert (risk.external_system, risk.external_id, risk.title) == ("jira", "GOV-142", "Model drift")
    assert created["Location"].endswith(f"/api/v1/risks/{risk.pk}/") and created["ETag"] == risk.etag
    assert risk.history.first().history_user == executive

    same = client.put(url, risk_body(system))
    assert same.status_code == 200 and same.json()["version"] == 1  # nothing changed, version kept
    changed = client.put(url, {**risk_body(system), "title": "Model drift in production"}, HTTP_IF_MATCH=same["ETag"])
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert Risk.objects.get().title == "Model drift in production"
    assert Risk.objects.count() == 1


def test_the_upsert_keeps_the_preconditions(executive):
    client = api_client(executive)
    url = "/api/v1/initiatives/external/jira/INI-3/"
    owner = PersonFactory()
    body = {"title": "Churn model", "owner": owner.pk}
    assert client.put(url, body, HTTP_IF_MATCH='"1-1"').status_code == 412  # names a record that does not exist
    assert not Initiative.objects.exists()
    etag = client.put(url, body, HTTP_IF_NONE_MATCH="*")["ETag"]
    assert client.put(url, body, HTTP_IF_NONE_MATCH="*").status_code == 412  # create only: it exists
    client.put(url, {**body, "title": "Churn model v2"})
    stale = client.put(url, {**body, "title": "Lost update"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and Initiative.objects.get().title == "Churn model v2"


def test_the_upsert_refuses_another_reference_in_the_body_and_bad_input(executive):
    system = AISystemFactory()
    client = api_client(executive)
    url = "/api/v1/risks/external/jira/GOV-1/"
    other = client.put(url, {**risk_body(system), "external_id": "GOV-2"})
    assert other.status_code == 400 and "path" in other.json()["external_id"][0]
    assert client.put(url, {**risk_body(system), "external_id": "GOV-1"}).status_code == 201  # the same is fine
    bad = client.put("/api/v1/risks/external/jira/GOV-5/", {**risk_body(system), "likelihood": 9})
    assert bad.status_code == 400 and "likelihood" in bad.json()
    assert client.put("/api/v1/risks/external/bad%20system/GOV-5/", risk_body(system)).status_code == 404
    nul = client.put("/api/v1/risks/external/jira/GOV%00/", risk_body(system))
    assert nul.status_code == 400 and "external_id" in nul.json()
    long = client.put(f"/api/v1/risks/external/jira/{'x' * 121}/", risk_body(system))
    assert long.status_code == 400 and "external_id" in long.json()
    assert Risk.objects.count() == 1


def test_the_upsert_checks_the_role(executive):
    system = AISystemFactory()
    response = api_client(make_persona("auditor")).put("/api/v1/risks/external/jira/GOV-1/", risk_body(system))
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_a_reference_taken_by_another_record_is_a_field_error_on_create(executive):
    RiskFactory(external_system="jira", external_id="GOV-1")
    system = AISystemFactory()
    response = api_client(executive).post(
        "/api/v1/risks/", {**risk_body(system), "external_system": "jira", "external_id": "GOV-1"}
    )
    assert response.status_code == 400, response.json()
    assert "already has" in response.json()["external_id"][0], response.json()
