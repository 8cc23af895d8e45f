"""The risk library (issue 19, "Reference data"): NIST AI 600-1's twelve generative AI risks ship as a
framework of their own, and a risk is registered from an entry (title, summary and category
prefilled, the entry linked as the requirement it concerns) on the page and in the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.data import GENAI_CODE, load_catalogue
from governance.models import Framework, Requirement, Risk
from governance.services import risks as services
from tests.conftest import api_client, page_client
from tests.factories.risks import AISystemFactory, RiskFactory

pytestmark = pytest.mark.django_db


def entry(code="CONFABULATION"):
    return Requirement.objects.get(framework__code=GENAI_CODE, code=code)


def test_the_library_ships_the_twelve_nist_ai_600_1_risks_with_their_categories():
    library = Framework.objects.get(code=GENAI_CODE)
    assert library.is_builtin and library.source_url == "https://doi.org/10.6028/NIST.AI.600-1"
    entries = list(Requirement.objects.risk_library())
    assert len(entries) == 12 and {e.framework_id for e in entries} == {library.pk}
    assert entries[0].code == "CBRN" and entries[-1].code == "VALUE_CHAIN"  # document order
    assert entry().suggested_category == "hallucination_accuracy"
    assert entry("VALUE_CHAIN").suggested_category == "third_party"
    assert all(e.title and e.text and e.suggested_category for e in entries)
    before = Requirement.objects.count()
    load_catalogue()  # what flushed (transactional, browser) tests call: refreshes, never duplicates
    assert Requirement.objects.count() == before


def test_a_risk_from_an_entry_is_prefilled_linked_and_keeps_what_was_given(leader):
    system = AISystemFactory()
    risk = services.risk_create_from_library(
        entry=entry(),
        by=leader,
        data={"ai_system": system, "likelihood": 4, "impact": 3, "title": "", "description": "Our own words"},
    )
    risk.refresh_from_db()
    assert (risk.title, risk.category, risk.requirement) == ("Confabulation", "hallucination_accuracy", entry())
    assert risk.description == "Our own words" and risk.key.startswith("RSK-")
    assert risk.history.first().requirement_id == entry().pk  # in history like every field


def test_only_a_library_entry_prefills_a_risk(leader):
    rmf = Requirement.objects.get(framework__code="nist-ai-rmf-1.0", code="MAP 1.1")
    with pytest.raises(ValidationError) as error:
        services.risk_create_from_library(entry=rmf, by=leader, data={"likelihood": 2, "impact": 2})
    assert "requirement" in error.value.message_dict
    assert not Risk.objects.exists()


def test_the_library_page_lists_the_entries_and_offers_registering_to_writers_only(leader, contributor):
    RiskFactory(requirement=entry())
    body = page_client(contributor).get(reverse("governance:risk_library")).content.decode()
    assert body.count('<tr id="entry-') == 12 and "Confabulation" in body
    assert "Register a risk" not in body  # a contributor reads the library but adds no risk
    assert f"?requirement={entry().pk}" in body  # the one risk registered from it, as a filtered list
    body = page_client(leader).get(reverse("governance:risk_library")).content.decode()
    assert body.count("Register a risk</a>") == 12
    assert f"{reverse('governance:risk_add')}?library={entry().pk}" in body
    listed = page_client(leader).get(reverse("governance:risk_list"), {"requirement": entry().pk})
    assert list(listed.context["object_list"]) == list(Risk.objects.filter(requirement=entry()))


def test_registering_from_the_page_prefills_the_form_and_links_the_entry(leader):
    client, url = page_client(leader), reverse("governance:risk_add") + f"?library={entry('DATA_PRIVACY').pk}"
    form = client.get(url)
    assert form.status_code == 200 and 'id="from-library"' in form.content.decode()
    initial = form.context["form"].initial
    assert (initial["title"], initial["category"], initial["requirement"]) == (
        "Data privacy",
        "privacy",
        entry("DATA_PRIVACY").pk,
    )
    assert initial["description"].startswith("Personal or sensitive data leaks")
    system = AISystemFactory()
    data = {f: initial[f] for f in ("title", "description", "category", "requirement")}
    response = client.post(url, data | {"ai_system": system.pk, "likelihood": 3, "impact": 4, "status": "identified"})
    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert risk.requirement == entry("DATA_PRIVACY") and risk.category == "privacy"
    assert "Data privacy" in client.get(risk.get_absolute_url()).content.decode()


@pytest.mark.parametrize("value", ["abc", "999999", "99999999999999999999", "rmf"])
def test_the_form_refuses_what_is_not_a_library_entry(leader, value):
    if value == "rmf":
        value = str(Requirement.objects.get(framework__code="nist-ai-rmf-1.0", code="MAP 1.1").pk)
    assert page_client(leader).get(reverse("governance:risk_add"), {"library": value}).status_code == 404


def test_the_api_registers_a_risk_from_an_entry(leader):
    system = AISystemFactory()
    api = api_client(leader)
    response = api.post(
        "/api/v1/risks/from-library/",
        {"requirement": entry("INFORMATION_SECURITY").pk, "ai_system": system.pk, "likelihood": 4, "impact": 5},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["category"], body["requirement"]) == (
        "Information security",
        "security",
        entry("INFORMATION_SECURITY").pk,
    )
    assert body["description"].startswith("The system lowers the bar") and response["ETag"]
    given = api.post(
        "/api/v1/risks/from-library/",
        {"requirement": entry().pk, "ai_system": system.pk, "likelihood": 2, "impact": 2, "title": "Made-up refunds"},
        format="json",
    )
    assert given.status_code == 201 and given.json()["title"] == "Made-up refunds"
    assert given.json()["category"] == "hallucination_accuracy"
    linked = api.get("/api/v1/risks/", {"requirement": entry().pk}).json()
    assert [r["key"] for r in linked["results"]] == [given.json()["key"]]


def test_the_api_refuses_bad_entries_and_roles_without_writing(leader, contributor):
    system, api = AISystemFactory(), api_client(leader)
    rmf = Requirement.objects.get(framework__code="nist-ai-rmf-1.0", code="MAP 1.1")
    base = {"ai_system": system.pk, "likelihood": 3, "impact": 3}
    bad_entries = ({}, {"requirement": rmf.pk}, {"requirement": "x"}, {"requirement": 999999}, {"requirement": 10**20})
    for bad in bad_entries:
        response = api.post("/api/v1/risks/from-library/", base | bad, format="json")
        assert response.status_code == 400 and "requirement" in response.json(), bad
    assert api.post("/api/v1/risks/from-library/", [1, 2], format="json").status_code == 400
    missing = api.post(
        "/api/v1/risks/from-library/", {"requirement": entry().pk, "ai_system": system.pk}, format="json"
    )
    assert missing.status_code == 400 and "likelihood" in missing.json()
    refused = api_client(contributor).post(
        "/api/v1/risks/from-library/", base | {"requirement": entry().pk}, format="json"
    )
    assert refused.status_code == 403
    assert not Risk.objects.exists()


def test_the_library_page_runs_constant_queries(leader, django_assert_num_queries):
    client = page_client(leader)
    client.get(reverse("governance:risk_library"))
    # session, user, roles, the user's and the groups' permissions (the navigation's gated entries),
    # the entries with their framework and the count of risks concerning each
    with django_assert_num_queries(LIBRARY_QUERIES) as captured:
        client.get(reverse("governance:risk_library"))
    RiskFactory.create_batch(3, requirement=entry())
    RiskFactory(requirement=entry("CBRN"))
    with django_assert_num_queries(len(captured)):
        body = client.get(reverse("governance:risk_library")).content.decode()
    assert f'?requirement={entry().pk}">3</a>' in body


LIBRARY_QUERIES = 6
