"""Lists and details of AI systems, risks and mitigations run a constant number of queries, on pages
and in the API, whatever the number of rows."""

import pytest
from django.urls import reverse

from governance.models import Framework, Requirement
from tests.conftest import api_client, page_client
from tests.factories.risks import AISystemFactory, MitigationFactory, RiskFactory

pytestmark = pytest.mark.django_db


def grow(kind, n):
    if kind == "aisystem":
        AISystemFactory.create_batch(n)
    elif kind == "risk":
        for i in range(n):
            RiskFactory(likelihood=i % 5 + 1, impact=(i * 2) % 5 + 1, residual_likelihood=1 if i % 3 else None)
    else:
        for _ in range(n):
            MitigationFactory(risk=RiskFactory())


# session, user, roles, count, page; risk list: + both heat maps (one grouped query); filter-bar choices
# (initiative, owner, AI system, risk); the bulk toolbar's owner choices (writers only)
PAGE_QUERIES = {"aisystem": 8, "risk": 10, "mitigation": 9}
API_QUERIES = {"aisystem": 4, "risk": 4, "mitigation": 5}  # token+user, roles, count, page (+ requirements)
ENDPOINTS = {"aisystem": "ai-systems", "risk": "risks", "mitigation": "mitigations"}


@pytest.mark.parametrize("kind", PAGE_QUERIES)
def test_list_pages_run_constant_queries(executive, django_assert_num_queries, kind):
    client = page_client(executive)
    client.get(reverse(f"governance:{kind}_list"))
    grow(kind, 3)
    with django_assert_num_queries(PAGE_QUERIES[kind]):
        client.get(reverse(f"governance:{kind}_list"))
    grow(kind, 20)
    with django_assert_num_queries(PAGE_QUERIES[kind]):
        client.get(reverse(f"governance:{kind}_list"))


@pytest.mark.parametrize("kind", API_QUERIES)
def test_api_lists_run_constant_queries(executive, django_assert_num_queries, kind):
    client = api_client(executive)
    grow(kind, 3)
    with django_assert_num_queries(API_QUERIES[kind]):
        client.get(f"/api/v1/{ENDPOINTS[kind]}/")
    grow(kind, 20)
    with django_assert_num_queries(API_QUERIES[kind]):
        client.get(f"/api/v1/{ENDPOINTS[kind]}/")


@pytest.mark.parametrize("kind", API_QUERIES)
def test_api_details_run_constant_queries(executive, django_assert_num_queries, kind):
    client = api_client(executive)
    grow(kind, 2)
    record = {"aisystem": AISystemFactory, "risk": RiskFactory, "mitigation": MitigationFactory}[kind]()
    with django_assert_num_queries(API_QUERIES[kind] - 1):
        client.get(f"/api/v1/{ENDPOINTS[kind]}/{record.pk}/")


def test_detail_pages_run_constant_queries(executive, django_assert_num_queries):
    client = page_client(executive)
    system = AISystemFactory()
    risk = RiskFactory(ai_system=system)
    framework = Framework.objects.create(code="QC", title="Query count framework")
    requirement = Requirement.objects.create(framework=framework, code="QC-1", level="control")
    MitigationFactory(risk=risk).requirements.add(requirement)
    client.get(system.get_absolute_url())
    # session, user, roles, system (joined), its risks, its evidence (the evidence panel: evidence branch)
    with django_assert_num_queries(6):
        client.get(system.get_absolute_url())
    # session, user, roles, risk (joined), mitigations, requirements, frameworks, incidents,
    # its evidence (the evidence panel: evidence branch)
    with django_assert_num_queries(9):
        client.get(risk.get_absolute_url())
    RiskFactory.create_batch(5, ai_system=system)
    for mitigation in MitigationFactory.create_batch(6, risk=risk):
        mitigation.requirements.add(requirement)
    with django_assert_num_queries(6):
        client.get(system.get_absolute_url())
    with django_assert_num_queries(9):
        client.get(risk.get_absolute_url())


def test_the_mitigations_api_list_reads_requirement_ids_in_one_query_in_their_order(
    executive, django_assert_num_queries
):
    """The ids come from the through table for the whole page (governance/api/risks.py,
    RelatedIdsListSerializer): the same ids, in the same order, as each mitigation's own relation."""
    from governance.choices import RequirementLevel
    from governance.models import Framework, Mitigation, Requirement
    from tests.conftest import api_client

    framework = Framework.objects.create(code="ORDER", title="Order framework")
    level = RequirementLevel.values[0]
    # Created in the reverse of their position: ids and the relation's order differ.
    requirements = [
        Requirement.objects.create(framework=framework, code=f"R{i}", title=f"R{i}", level=level, position=9 - i)
        for i in range(4)
    ]
    risk = RiskFactory()
    for n in range(1, 4):
        MitigationFactory(risk=risk).requirements.add(*requirements[:n])
    MitigationFactory(risk=risk)  # none
    client = api_client(executive)
    client.get("/api/v1/mitigations/")
    with django_assert_num_queries(API_QUERIES["mitigation"]):
        rows = client.get("/api/v1/mitigations/").json()["results"]
    expected = {m.pk: [r.pk for r in m.requirements.all()] for m in Mitigation.objects.all()}
    assert {row["id"]: row["requirements"] for row in rows} == expected
    assert sorted(len(ids) for ids in expected.values()) == [0, 1, 2, 3]
    assert expected[max(expected, key=lambda pk: len(expected[pk]))] == [r.pk for r in reversed(requirements[:3])]
