"""Framework coverage: the share of leaf requirements addressed by an approved policy or an
implemented/verified mitigation, per function and category, with the uncovered ones listed."""

import pytest

from governance.coverage import framework_coverage
from governance.models import Framework, Requirement
from tests.factories.policies import ApprovedVersionFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nist():
    return Framework.objects.get(code="nist-ai-rmf-1.0")


def req(code):
    return Requirement.objects.get(code=code)


def test_the_catalogue_ships_nist_and_the_eu_ai_act():
    nist = Framework.objects.get(code="nist-ai-rmf-1.0")
    levels = list(nist.requirements.values_list("level", flat=True))
    assert (levels.count("function"), levels.count("category"), levels.count("subcategory")) == (4, 19, 72)
    eu = Framework.objects.get(code="eu-ai-act")
    assert eu.is_builtin and eu.requirements.filter(code="Art. 4", title="AI literacy").exists()


def test_loading_the_catalogue_again_changes_nothing():
    from governance.data import load_catalogue

    before = Requirement.objects.count()
    load_catalogue()
    assert Requirement.objects.count() == before


def test_only_approved_policies_cover(nist):
    PolicyVersionFactory(status="draft").policy.requirements.add(req("GOVERN 1.1"))
    PolicyVersionFactory(status="superseded").policy.requirements.add(req("GOVERN 1.2"))
    assert framework_coverage(nist).covered == 0
    ApprovedVersionFactory().policy.requirements.add(req("GOVERN 1.1"), req("MAP 1.1"))
    coverage = framework_coverage(nist)
    assert (coverage.covered, coverage.total, coverage.percent) == (2, 72, 3)


def test_coverage_per_function_and_category(nist):
    ApprovedVersionFactory().policy.requirements.add(req("GOVERN 1.1"), req("GOVERN 1.2"))
    coverage = framework_coverage(nist)
    rows = {node.requirement.code: node for node in coverage.groups}
    govern, govern1, map1 = rows["GOVERN"], rows["GOVERN 1"], rows["MAP 1"]
    assert (govern1.covered, govern1.total) == (2, govern1.requirement.children.count())
    assert govern.covered == 2 and govern.total == sum(rows[f"GOVERN {n}"].total for n in range(1, 7))
    assert (map1.covered, map1.percent) == (0, 0)
    uncovered = {r.code for r in coverage.uncovered}
    assert "GOVERN 1.1" not in uncovered and "GOVERN 1.3" in uncovered and len(uncovered) == 70


def test_a_mapping_to_a_grouping_does_not_count(nist):
    # Only leaves count: a category mapped directly (e.g. by a mitigation) covers none of its subcategories.
    ApprovedVersionFactory().policy.requirements.through.objects.create(
        policy=ApprovedVersionFactory().policy, requirement=req("GOVERN 1")
    )
    assert framework_coverage(nist).covered == 0


def test_implemented_or_verified_mitigations_cover():
    from tests.factories import risks as risk_factories

    eu = Framework.objects.get(code="eu-ai-act")
    planned = risk_factories.MitigationFactory(status="planned")
    planned.requirements.add(req("Art. 9"))
    assert framework_coverage(eu).covered == 0
    done = risk_factories.MitigationFactory(status="implemented")
    done.requirements.add(req("Art. 10"))
    verified = risk_factories.MitigationFactory(status="verified")
    verified.requirements.add(req("Art. 14"))
    coverage = framework_coverage(eu)
    assert (coverage.covered, coverage.total) == (2, 17)


def test_list_annotations_agree_with_the_detail(nist):
    ApprovedVersionFactory().policy.requirements.add(req("GOVERN 1.1"), req("GOVERN 1"))
    annotated = Framework.objects.with_coverage().get(pk=nist.pk)
    detail = framework_coverage(nist)
    assert (annotated.leaf_count, annotated.covered_count) == (detail.total, detail.covered) == (72, 1)


def test_coverage_runs_in_constant_queries(nist, django_assert_num_queries):
    ApprovedVersionFactory().policy.requirements.add(*Requirement.objects.filter(level="subcategory")[:30])
    with django_assert_num_queries(3):  # requirements with flags, approved policies, done mitigations
        framework_coverage(nist)
