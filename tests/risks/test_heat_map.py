"""The heat maps count exactly the risks of the lists their cells link to (same FilterSet)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict
from django.urls import reverse

from governance.filtersets.risks import RiskFilterSet
from governance.models import Risk
from tests.conftest import api_client, page_client
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db


def spread_risks():
    RiskFactory(likelihood=5, impact=5, category="privacy")
    RiskFactory(likelihood=5, impact=5, residual_likelihood=2, residual_impact=2, category="security")
    RiskFactory(likelihood=4, impact=3, residual_impact=1, category="privacy", status="mitigating")
    RiskFactory(likelihood=1, impact=1, category="safety")
    RiskFactory(likelihood=2, impact=4, residual_likelihood=2, residual_impact=4, category="privacy")


def cells(response):
    return [(m["code"], cell) for m in response.context["heat_maps"] for _, row in m["rows"] for cell in row]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"category": "privacy"},
        {"status": "mitigating", "category": "privacy"},
        # A map's own cell filter applies to the other map only (the two maps count different risks).
        {"likelihood": 5, "impact": 5},
        {"residual_likelihood": 2, "category": "privacy"},
    ],
)
def test_every_cell_count_equals_the_count_of_the_list_it_links_to(executive, query):
    spread_risks()
    client = page_client(executive)
    response = client.get(reverse("governance:risk_list"), query)
    for code, cell in cells(response):
        params = QueryDict(urlparse(cell.url).query)
        # Every cell through the FilterSet the list and the API share ...
        assert RiskFilterSet(params, queryset=Risk.objects.with_related()).qs.count() == cell.count, (code, cell)
    # ... and every non-empty cell plus an empty one through the page and the API themselves.
    checked = [(code, cell) for code, cell in cells(response) if cell.count] + [
        next((code, cell) for code, cell in cells(response) if not cell.count)
    ]
    for code, cell in checked:
        linked = client.get(reverse("governance:risk_list") + cell.url)
        assert linked.context["paginator"].count == cell.count, (code, cell)
        params = {k: v[0] for k, v in parse_qs(urlparse(cell.url).query).items()}
        assert api_client(executive).get("/api/v1/risks/", params).json()["count"] == cell.count, (code, cell)


def test_the_maps_place_risks_by_inherent_and_by_effective_residual_values(executive):
    spread_risks()
    maps = {m["code"]: m for m in page_client(executive).get(reverse("governance:risk_list")).context["heat_maps"]}
    inherent = {(c.likelihood, c.impact): c.count for _, row in maps["inherent"]["rows"] for c in row if c.count}
    residual = {(c.likelihood, c.impact): c.count for _, row in maps["residual"]["rows"] for c in row if c.count}
    assert inherent == {(5, 5): 2, (4, 3): 1, (1, 1): 1, (2, 4): 1}
    assert residual == {(5, 5): 1, (2, 2): 1, (4, 1): 1, (1, 1): 1, (2, 4): 1}
    assert maps["inherent"]["total"] == maps["residual"]["total"] == Risk.objects.count()


def test_cells_are_readable_without_colour(executive):
    RiskFactory(likelihood=5, impact=4)
    body = page_client(executive).get(reverse("governance:risk_list")).content.decode()
    # Since the pages branch the cell's accessible name is its text (visible count and level plus
    # visually hidden words), no longer an aria-label, so the name contains what sighted users read.
    link = re.search(r'<a [^>]*data-testid="heat-inherent-5-4"[^>]*>(.*?)</a>', body, re.S).group(1)
    name = " ".join(re.sub(r"<[^>]+>", "", link).split())
    assert name == "Inherent likelihood 5, impact 4: 1 risk, Critical"
    assert '<span class="heat-level">Critical</span>' in body and '<span class="heat-level">Low</span>' in body


def test_a_cell_link_replaces_rather_than_stacks_the_cell_filters(executive):
    RiskFactory(likelihood=5, impact=5)
    response = page_client(executive).get(reverse("governance:risk_list"), {"likelihood": 5, "impact": 5})
    inherent = response.context["heat_maps"][0]
    # The inherent map ignores its own cell filter, so every other cell still links to a real list.
    cell = inherent["rows"][0][1][4]
    assert (cell.likelihood, cell.impact, cell.count) == (5, 5, 1)
    assert parse_qs(urlparse(inherent["rows"][4][1][0].url).query)["likelihood"] == ["1"]
