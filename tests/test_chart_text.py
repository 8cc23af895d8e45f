"""Charts say the numbers they show in words (their text alternative), and the risk heat map is a
real table a screen reader walks cell by cell (issue 21: "the heat map navigable as a table; charts
have a text alternative")."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.charts import sparkline
from tests.conftest import page_client
from tests.factories.portfolio import KPIFactory, KPIMeasurementFactory
from tests.factories.risks import RiskFactory

pytestmark = pytest.mark.django_db


def _kpi_with_points():
    kpi = KPIFactory(name="Precision of flags", unit="%", target=80)
    now = timezone.now()
    for hours, value in ((3, 61.25), (2, 74.5), (1, 70)):
        KPIMeasurementFactory(kpi=kpi, value=value, observed_at=now - timedelta(hours=hours))
    return kpi


SUMMARY = "Trend of Precision of flags, 3 points: latest 70 %, lowest 61.25 %, highest 74.50 %; target 80 %"


def test_sparklines_on_the_dashboard_and_the_initiative_say_their_numbers(executive):
    kpi = _kpi_with_points()
    client = page_client(executive)
    for url in (reverse("dashboard"), kpi.initiative.get_absolute_url()):
        body = client.get(url).content.decode()
        assert f'aria-label="{SUMMARY}"' in body, url


def test_the_report_heat_map_says_each_cell_that_holds_risks(executive):
    RiskFactory(likelihood=5, impact=4, residual_likelihood=5, residual_impact=4)
    RiskFactory(likelihood=2, impact=2, residual_likelihood=1, residual_impact=1)
    body = page_client(executive).get(reverse("report")).content.decode()
    label = re.search(r'<svg [^>]*class="heat-svg"[^>]*aria-label="([^"]+)"', body).group(1)
    assert (
        label
        == "Residual risk (after mitigation): 2 risks; likelihood 5, impact 4: 1 critical; likelihood 1, impact 1: 1 low"
    )


def test_the_risk_heat_map_is_a_table_with_row_and_column_headers(executive):
    RiskFactory(likelihood=3, impact=2)
    body = page_client(executive).get(reverse("governance:risk_list")).content.decode()
    table = body.split('aria-describedby="heat-inherent-caption"')[1].split("</table>")[0]
    assert '<caption id="heat-inherent-caption"' in table
    assert [f'<th scope="col" class="text-center">{i}</th>' in table for i in range(1, 6)] == [True] * 5
    assert [f'<th scope="row" class="text-center">{i}</th>' in table for i in range(1, 6)] == [True] * 5
    assert table.count("<td ") == 25 and table.count('class="heat-cell"') == 25  # each cell a link, in order


def test_the_kpi_trend_chart_says_its_numbers_with_the_kpi_precision(executive):
    kpi = _kpi_with_points()
    kpi.precision = 1
    kpi.save(update_fields=["precision"])
    body = page_client(executive).get(kpi.get_absolute_url()).content.decode()
    summary = "3 points: latest 70 %, lowest 61.3 %, highest 74.5 %; target 80 %"
    assert f'<canvas id="kpi-trend" aria-label="Trend of Precision of flags, {summary}" role="img">' in body


def test_a_sparkline_scales_its_points_into_the_box_with_the_target_inside():
    # 120 x 32 with a padding of 2: x from 2 to 118, y from 30 (lowest) to 2 (highest), one decimal;
    # the target (100) widens the scale above the highest point (80).
    line = sparkline([(None, 0), (None, 80), (None, 25.5)], target=100)
    assert line.points == "2.0,30.0 60.0,7.6 118.0,22.9"
    assert (line.target_y, line.last_x, line.last_y) == (2.0, 118.0, 22.9)
    assert sparkline([(None, 5)]).points == "2.0,30.0"  # one point: no spread, drawn at the left
    assert sparkline([]) is None
