"""Issue 21's "measurements with their unit" and "people as names": KPI values with the KPI's unit
and at most two decimals on the list and the KPI's page (each point in the measurement table with the
four it was entered with), never the stored six; a record page names who created and changed it."""

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


def test_a_record_page_names_who_created_and_changed_it(executive):
    from initiatives.services.portfolio import initiative_update
    from tests.factories.portfolio import InitiativeFactory

    initiative = InitiativeFactory()
    initiative_update(initiative, by=executive, data={"title": "Renamed"})
    body = page_client(executive).get(initiative.get_absolute_url()).content.decode()
    assert f"by {executive.person.name}</div>" in body and f"by {executive.username}" not in body
