"""(e) The trend of a KPI with a year of minute-level points (525,600 at full scale): the downsampling
query the KPI page uses (`KPIMeasurementQuerySet.trend`) against the raw aggregate query."""

from django.db import connection

from initiatives.models import KPIMeasurement

from .timing import Result, compare, ms

TREND_TARGET = 1.5


def trend(ctx, scale, client) -> list[Result]:
    kpi = ctx["minute_kpi"]
    points, bucket = KPIMeasurement.objects.trend(kpi=kpi)
    table = KPIMeasurement._meta.db_table
    # The same buckets the trend chose, straight from SQL.
    raw_sql = (
        f"SELECT date_trunc(%s, observed_at AT TIME ZONE 'UTC') AS b, avg(value) FROM {table} "
        "WHERE kpi_id = %s GROUP BY b ORDER BY b"
    )
    trunc = bucket if bucket != "point" else "minute"

    def app():
        KPIMeasurement.objects.trend(kpi=kpi)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(raw_sql, [trunc, kpi.pk])
            cursor.fetchall()

    app_s, raw_s = compare(app, raw, repeat=max(5, scale.repeat // 3), warmup=2)
    page, _ = compare(
        lambda: client.get(kpi.get_absolute_url()), lambda: None, repeat=max(3, scale.repeat // 5), warmup=1
    )
    n = kpi.measurements.count()
    return [
        Result(
            "e.kpi_trend_vs_raw_aggregate",
            app_s / raw_s,
            TREND_TARGET,
            enforced=scale.enforce,
            detail=f"{n:,} points -> {len(points)} {bucket} buckets: {ms(app_s)} vs {ms(raw_s)}; page {ms(page)}",
        )
    ]
