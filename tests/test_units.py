"""Measurements read with their KPI's unit and at most two decimals (issue 21: "measurements with
their unit"), on the KPI list and the KPI's page (there at most two decimals; each point in the
measurement table with the four it was entered with); never the stored six decimals."""

import pytest
from django.urls import reverse

from tests.conftest import page_client
from tests.factories.portfolio import KPIFactory, KPIMeasurementFactory

pytestmark = pytest.mark.django_db


def test_kpi_values_read_with_their_unit_and_at_most_two_decimals(executive):
    kpi = KPIFactory(name="Latency p95", unit="ms", target="250.000000", warning_threshold="300")
    KPIMeasurementFactory(kpi=kpi, value=212.3456)
    client = page_client(executive)
    listed = client.get(reverse("initiatives:kpi_list")).content.decode()
    assert "212.35 ms" in listed and "250 ms" in listed
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert "212.35 ms" in page and "250.000000" not in page
    assert '<td class="text-nowrap">212.3456 ms</td>' in page  # the points themselves, as measured
