import pytest

from governance.models import Acknowledgement, Policy, PolicyVersion

pytestmark = pytest.mark.django_db


def test_demo_policies_have_two_versions_each_and_partial_acknowledgements(monkeypatch):
    from governance import demo_policies
    from leadership import demo

    monkeypatch.setattr(demo, "DEMO_MODULES", (demo_policies,))
    ctx = demo.create_demo()
    assert Policy.objects.count() == 5 and len(ctx["policies"]) == 5
    assert all(p.versions.count() == 2 for p in Policy.objects.all())
    statuses = sorted(PolicyVersion.objects.filter(number=2).values_list("status", flat=True))
    assert statuses == ["approved", "approved", "approved", "in_review", "in_review"]
    assert PolicyVersion.objects.filter(status="superseded").count() == 3
    assert Policy.objects.filter(next_review_date__isnull=True).count() == 0
    assert Policy.objects.filter(requirements__isnull=False).distinct().count() == 5
    rates = [p.acknowledgement_rate for p in Policy.objects.with_current_version()]
    assert all(0 < rate < 100 for rate in rates)
    assert Acknowledgement.objects.filter(policy_version__status="superseded").count() == 0
