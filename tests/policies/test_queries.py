"""Every list and detail, page and API, runs a constant number of queries whatever the row count."""

import pytest
from django.urls import reverse

from governance.models import Framework, Requirement
from tests.conftest import api_client, page_client
from tests.factories.policies import AcknowledgementFactory, ApprovedVersionFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db


def make_policies(n):
    for _ in range(n):
        version = ApprovedVersionFactory()
        version.policy.requirements.add(*Requirement.objects.filter(level="subcategory")[:2])
        AcknowledgementFactory(policy_version=version)
        PolicyVersionFactory(policy=version.policy, number=2, status="in_review")


def test_policy_list_page_runs_constant_queries(auditor, django_assert_num_queries):
    client = page_client(auditor)
    client.get(reverse("governance:policy_list"))
    make_policies(2)
    # session, user, roles, the model backend's two permission reads (for can_add, refused by the
    # role map), count, page (versions and acknowledgements annotated), requirements, owner choices
    with django_assert_num_queries(9):
        client.get(reverse("governance:policy_list"))
    make_policies(8)
    with django_assert_num_queries(9):
        client.get(reverse("governance:policy_list"))


def test_policy_detail_page_runs_constant_queries(auditor, django_assert_num_queries):
    client = page_client(auditor)
    version = ApprovedVersionFactory()
    client.get(version.policy.get_absolute_url())
    # session, user, roles, two permission reads, policy, requirements, versions, my person,
    # acknowledgements of the version in force, active people
    with django_assert_num_queries(11) as few:
        client.get(version.policy.get_absolute_url())
    for _ in range(6):
        AcknowledgementFactory(policy_version=version)
    PolicyVersionFactory(policy=version.policy, number=2)
    version.policy.requirements.add(*Requirement.objects.filter(level="subcategory")[:5])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(version.policy.get_absolute_url())


def test_framework_pages_run_constant_queries(auditor, django_assert_num_queries):
    client = page_client(auditor)
    nist = Framework.objects.get(code="nist-ai-rmf-1.0")
    client.get(reverse("governance:framework_list"))
    # session, user, roles, two permission reads, count, page (coverage counts annotated)
    with django_assert_num_queries(7) as listing:
        client.get(reverse("governance:framework_list"))
    with django_assert_num_queries(len(listing.captured_queries)):
        client.get(reverse("governance:framework_list"))
    # session, user, roles, two permission reads, framework, requirements, policies, mitigations
    with django_assert_num_queries(9) as detail:
        client.get(nist.get_absolute_url())
    make_policies(3)
    with django_assert_num_queries(len(detail.captured_queries)):
        client.get(nist.get_absolute_url())


@pytest.mark.parametrize("resource", ["policies", "policy-versions", "acknowledgements", "frameworks", "requirements"])
def test_api_lists_and_details_run_constant_queries(auditor, django_assert_num_queries, resource):
    client = api_client(auditor)
    make_policies(2)
    first = client.get(f"/api/v1/{resource}/").json()["results"][0]["id"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/api/v1/{resource}/")
    make_policies(6)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(f"/api/v1/{resource}/")
    with CaptureQueriesContext(connection) as detail:
        client.get(f"/api/v1/{resource}/{first}/")
    assert len(detail.captured_queries) <= len(small.captured_queries)
