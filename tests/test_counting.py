"""count_together(): several exact counts in one statement, equal to each queryset's own count()."""

import pytest

from governance.models import Risk
from initiatives.models import Initiative
from tests.factories.portfolio import InitiativeFactory
from tests.factories.risks import RiskFactory
from vpportal.core.counting import count_together

pytestmark = pytest.mark.django_db


def test_each_count_equals_the_querysets_own_count_in_one_query(django_assert_num_queries):
    InitiativeFactory.create_batch(3, stage="pilot")
    InitiativeFactory(stage="production")
    RiskFactory.create_batch(2, likelihood=5)
    RiskFactory(likelihood=1)
    querysets = {
        "pilots": Initiative.objects.filter(stage="pilot"),
        "in_production": Initiative.objects.filter(stage="production").order_by("title"),
        "likely": Risk.objects.filter(likelihood__gte=4),
        "none": Risk.objects.filter(likelihood=3),
        "everything": Risk.objects.all(),
    }
    with django_assert_num_queries(1):
        counts = count_together(**querysets)
    assert counts == {name: queryset.count() for name, queryset in querysets.items()}
    assert counts == {"pilots": 3, "in_production": 1, "likely": 2, "none": 0, "everything": 3}


def test_nothing_to_count_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_together() == {}
