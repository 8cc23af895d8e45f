"""Framework coverage counts the requirements satisfied by implemented or verified mitigations, and
a mitigation still planned or in progress does not count."""

import pytest

from governance.coverage import framework_coverage
from governance.models import Framework, Mitigation, Requirement
from governance.services.risks import mitigation_update
from tests.conftest import api_client
from tests.factories.risks import MitigationFactory

pytestmark = pytest.mark.django_db


def test_coverage_counts_implemented_and_verified_mitigations_only(executive):
    framework = Framework.objects.create(code="COV", title="Coverage test")
    reqs = [Requirement.objects.create(framework=framework, code=f"C-{n}", level="control") for n in range(4)]
    for requirement, status in zip(reqs, ("planned", "in_progress", "implemented", "verified"), strict=True):
        MitigationFactory(status=status).requirements.add(requirement)
    coverage = framework_coverage(framework)
    assert (coverage.covered, coverage.total) == (2, 4)
    assert set(coverage.uncovered) == {reqs[0], reqs[1]}
    assert set(Mitigation.objects.effective().values_list("status", flat=True)) == {"implemented", "verified"}


def test_implementing_a_mitigation_through_the_api_raises_coverage(leader):
    framework = Framework.objects.create(code="COV2", title="Coverage test 2")
    requirement = Requirement.objects.create(framework=framework, code="C-1", level="control")
    mitigation = MitigationFactory(status="in_progress")
    mitigation.requirements.add(requirement)
    assert framework_coverage(framework).covered == 0
    response = api_client(leader).patch(f"/api/v1/mitigations/{mitigation.pk}/", {"status": "implemented"})
    assert response.status_code == 200
    assert framework_coverage(framework).covered == 1
    mitigation.refresh_from_db()
    mitigation_update(mitigation, by=leader, data={"status": "planned"})
    assert framework_coverage(framework).covered == 0
