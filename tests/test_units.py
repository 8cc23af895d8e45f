"""Issue 21's "measurements with their unit and the KPI's precision" and "people as names": KPI
values with the KPI's unit and its precision (default two decimals) on the list, the KPI's page, its
measurement table and the initiative's KPI panel, never the stored six; a record page names who
created and changed it."""

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
    assert '<td class="text-nowrap">212.35 ms</td>' in page  # the points in the table, the same way


@pytest.mark.parametrize(
    "precision, latest, target",
    [(0, "1235 EUR", "1500 EUR"), (3, "1234.568 EUR", "1500.125 EUR")],
)
def test_a_kpi_shows_its_values_with_its_own_precision(executive, precision, latest, target):
    kpi = KPIFactory(name="Savings", unit="EUR", target="1500.125", warning_threshold="1000", precision=precision)
    KPIMeasurementFactory(kpi=kpi, value=1234.5678)
    client = page_client(executive)
    page = client.get(kpi.get_absolute_url()).content.decode()
    assert f"<strong>{latest}</strong>" in page  # the latest value
    assert f'<td class="text-nowrap">{latest}</td>' in page  # the measurements table
    assert f'<dd class="col-sm-8">{target}</dd>' in page  # target among the KPI's numbers
    panel = client.get(kpi.initiative.get_absolute_url()).content.decode()
    assert f"<td>{latest}</td>" in panel and f"<td>{target}</td>" in panel
    assert "1234.57" not in page + panel


def test_a_record_page_names_who_created_and_changed_it(executive):
    from initiatives.services.portfolio import initiative_update
    from tests.factories.portfolio import InitiativeFactory

    initiative = InitiativeFactory()
    initiative_update(initiative, by=executive, data={"title": "Renamed"})
    body = page_client(executive).get(initiative.get_absolute_url()).content.decode()
    assert f"by {executive.person.name}</div>" in body and f"by {executive.username}" not in body


def test_the_user_menu_shows_the_person_by_name_and_the_login_only_as_the_account(executive):
    body = page_client(executive).get(reverse("dashboard")).content.decode()
    assert f'title="Signed in as {executive.username}">{executive.person.name}</a>' in body
    assert f"Signed in as {executive.username}</span>" in body


def test_the_user_menu_shows_the_login_of_a_user_with_no_person():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("no-person-login", password="x")  # noqa: S106
    body = page_client(user).get(reverse("initiatives:initiative_list")).content.decode()
    assert 'title="Signed in as no-person-login">no-person-login</a>' in body
