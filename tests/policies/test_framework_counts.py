"""One count of a framework's requirements everywhere: its leaf requirements (NIST subcategories,
EU AI Act articles), never its groupings. The list, the detail page, the dashboard (page and API),
the executive report and the API all say the same figure, and the list's label says what it counts."""

import re

import pytest

from governance.models import Framework, Requirement
from tests.conftest import api_client, page_client
from tests.factories.policies import ApprovedVersionFactory

pytestmark = pytest.mark.django_db

NIST_LEAVES = 72  # subcategories; the catalogue also holds 4 functions and 19 categories


@pytest.fixture
def nist():
    nist = Framework.objects.get(code="nist-ai-rmf-1.0")
    ApprovedVersionFactory().policy.requirements.add(Requirement.objects.get(framework=nist, code="GOVERN 1.1"))
    return nist


def test_list_detail_dashboard_report_and_api_count_the_same_leaf_requirements(nist, executive):
    assert nist.requirements.count() == 95  # what the list used to say
    pages = page_client(executive)
    listing = pages.get("/governance/frameworks/").content.decode()
    assert "Requirements (leaves, not groupings)" in listing
    row = re.search(r"NIST AI RMF.*?</tr>", listing, re.S).group(0)
    assert f">{NIST_LEAVES}<" in row and ">95<" not in row
    detail = pages.get(nist.get_absolute_url()).content.decode()
    assert f"1 of {NIST_LEAVES} requirements" in detail
    assert f"1 of {NIST_LEAVES} requirements" in pages.get("/dashboard/").content.decode()
    assert f"1 of {NIST_LEAVES} requirements" in pages.get("/report/").content.decode()

    api = api_client(executive)
    body = api.get(f"/api/v1/frameworks/{nist.pk}/").json()
    assert body["requirement_count"] == body["coverage"]["requirements"] == NIST_LEAVES
    listed = {f["code"]: f for f in api.get("/api/v1/frameworks/").json()["results"]}
    assert listed[nist.code]["requirement_count"] == NIST_LEAVES
    figures = {f["code"]: f for f in api.get("/api/v1/dashboard/").json()["framework_coverage"]}
    assert (figures[nist.code]["requirements"], figures[nist.code]["covered"]) == (NIST_LEAVES, 1)
