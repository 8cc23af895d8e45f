"""API pagination: exact counts up to the limit, the planner's estimate beyond it (PostgreSQL), and
`next`/`previous` links that walk every row exactly once either way, at a constant query count."""

import pytest
from django.db import connection

from tests.conftest import api_client
from tests.factories.people import PersonFactory
from vpportal.core.api_access import Pagination
from vpportal.people.models import Person

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="count estimates come from PostgreSQL's planner"
)


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


@postgresql_only
def test_beyond_the_exact_limit_the_count_is_an_estimate_and_links_stay_exact(executive, monkeypatch):
    monkeypatch.setattr(Pagination, "exact_count_limit", 3)
    PersonFactory.create_batch(9)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Person._meta.db_table}")
    client = api_client(executive)
    ids, pages = walk(client, "/api/v1/people/?limit=4")
    assert sorted(ids) == sorted(Person.objects.values_list("pk", flat=True))
    assert all(page["count_is_estimate"] is True for page in pages)
    assert all(page["count"] > 3 for page in pages)
    assert pages[-1]["next"] is None and len(pages) == -(-len(ids) // 4)


@postgresql_only
def test_estimated_and_exact_pages_cost_the_same_queries(executive, monkeypatch, django_assert_num_queries):
    client = api_client(executive)
    PersonFactory.create_batch(2)
    client.get("/api/v1/people/?limit=2")  # warm the token
    with django_assert_num_queries(5) as exact:
        assert client.get("/api/v1/people/?limit=2").json()["count_is_estimate"] is False
    monkeypatch.setattr(Pagination, "exact_count_limit", 1)
    with django_assert_num_queries(len(exact.captured_queries)):
        assert client.get("/api/v1/people/?limit=2").json()["count_is_estimate"] is True
