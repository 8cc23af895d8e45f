"""Pagination of the API and of the web lists: exact counts (an estimate only where counting a very
large whole table exceeds the time budget, vpportal/core/counting.py), and next/previous links that
walk every row exactly once either way, at a constant query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import api_client, page_client
from tests.factories.people import PersonFactory
from vpportal.core import api_access, paginator
from vpportal.people.models import Person

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="count estimates come from PostgreSQL's planner"
)


def answer_estimates(monkeypatch, module):
    """The verdict of a count past its budget on a huge table (an estimate, here 2 above the truth),
    so the pages of an estimated list can be walked on a test-sized table. Counting itself is tested
    against PostgreSQL in tests/test_counting.py."""

    def estimated(queryset):
        return queryset.count() + 2, True

    monkeypatch.setattr(module, "bounded_count", estimated)


def walk(client, url):
    """Every id on every page, following `next`, and the pages' bodies."""
    ids, pages = [], []
    while url:
        body = client.get(url).json()
        pages.append(body)
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, pages


def test_small_lists_count_exactly(executive):
    PersonFactory.create_batch(5)
    client = api_client(executive)
    total = client.get("/api/v1/people/?limit=2").json()["count"]
    ids, pages = walk(client, "/api/v1/people/?limit=2")
    assert len(ids) == len(set(ids)) == total >= 5
    assert all(page["count"] == total and page["count_is_estimate"] is False for page in pages)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert "offset=2" in pages[1]["previous"] or pages[1]["previous"].endswith("limit=2")


def test_with_an_estimated_count_the_links_stay_exact(executive, monkeypatch):
    answer_estimates(monkeypatch, api_access)
    PersonFactory.create_batch(9)
    client = api_client(executive)
    ids, pages = walk(client, "/api/v1/people/?limit=4")
    assert sorted(ids) == sorted(Person.objects.values_list("pk", flat=True))
    assert all(page["count_is_estimate"] is True for page in pages)
    assert all(page["count"] > 3 for page in pages)
    assert pages[-1]["next"] is None and len(pages) == -(-len(ids) // 4)


@postgresql_only
def test_an_exact_count_within_its_budget_costs_one_statement(executive, django_assert_num_queries):
    client = api_client(executive)
    PersonFactory.create_batch(2)
    client.get("/api/v1/people/?limit=2")  # warm the token
    with django_assert_num_queries(4) as exact:  # token and user, roles, the timed count, page
        body = client.get("/api/v1/people/?limit=2").json()
    assert body["count"] == Person.objects.count() and body["count_is_estimate"] is False
    assert sum("statement_timeout" in q["sql"] for q in exact.captured_queries) == 1


def walk_pages(client, url):
    """Every person link on every web page, following "Next", and the pages' bodies."""
    names, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        bodies.append(body)
        names += [p.name for p in response.context["page_obj"]]
        found = re.search(r'rel="next" href="([^"]+)"', body)
        url = "/people/" + found.group(1).replace("&amp;", "&") if found else None
    return names, bodies


def test_small_web_lists_count_exactly_and_link_the_last_page(executive):
    PersonFactory.create_batch(5)
    client = page_client(executive)
    names, bodies = walk_pages(client, "/people/?per_page=2")
    total = Person.objects.count()
    assert len(names) == len(set(names)) == total
    assert f"{total} results · page 1 of {-(-total // 2)}" in bodies[0] and ">Last</a>" in bodies[0]
    assert "About" not in bodies[0]
    assert "Needs page_obj" not in bodies[0]  # the include's comment stays a comment


def test_with_an_estimated_count_a_web_list_says_about_and_still_walks_every_row(
    executive, monkeypatch, django_assert_num_queries
):
    PersonFactory.create_batch(9)
    client = page_client(executive)
    client.get("/people/?per_page=4")
    with CaptureQueriesContext(connection) as exact:  # the exact count's cost, the estimate's pin
        client.get("/people/?per_page=4")
    answer_estimates(monkeypatch, paginator)
    with django_assert_num_queries(len(exact.captured_queries)):
        client.get("/people/?per_page=4")
    names, bodies = walk_pages(client, "/people/?per_page=4")
    assert sorted(names) == sorted(Person.objects.values_list("name", flat=True))
    assert all(re.search(r"About \d+ results · page \d+<", body) for body in bodies)
    assert all(">Last</a>" not in body for body in bodies)
    assert 'rel="next"' not in bodies[-1] and len(bodies) == -(-len(names) // 4)
    assert client.get(f"/people/?per_page=4&page={len(bodies) + 1}").status_code == 404
    assert client.get("/people/?per_page=4&page=0").status_code == 404
