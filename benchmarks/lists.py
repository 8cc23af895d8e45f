"""(a) API list pages of 100 rows against the `.values()` + JsonResponse baseline, and (b) the same
lists, unfiltered and filtered, with a small and a large table: cost must not grow with table size,
and the counts stay exact (each list's count and its own cost are reported)."""

import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from governance.models import Risk
from initiatives.models import KPI, Initiative, KPIMeasurement
from vpportal.core.counting import ESTIMATE_TOLERANCE, bounded_count

from .timing import Result, compare, ms

LIST_TARGET = 2.0
GROWTH_TARGET = 1.2
# A filter of each list that keeps a share of its rows (so the filtered count grows with the table).
FILTERS = {
    "initiatives": ("&health=on_track", {"health": "on_track"}),
    "risks": ("&category=privacy", {"category": "privacy"}),
    "kpis": ("&cadence=weekly", {"cadence": "weekly"}),
}


def _get(client, url):
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    return call


def _lists(ctx):
    kpi = ctx["small_kpi"].pk
    return {
        "initiatives": ("/api/v1/initiatives/?limit=100", "/__bench__/initiatives/"),
        "risks": ("/api/v1/risks/?limit=100", "/__bench__/risks/"),
        "kpis": ("/api/v1/kpis/?limit=100", "/__bench__/kpis/"),
        "kpi-measurements": (
            f"/api/v1/kpi-measurements/?kpi={kpi}&limit=100",
            f"/__bench__/kpi-measurements/?kpi={kpi}",
        ),
    }


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)()
    return len(queries)


def api_lists(ctx, scale, client: Client) -> list[Result]:
    results = []
    for name, (api_url, baseline_url) in _lists(ctx).items():
        api, base = compare(_get(client, api_url), _get(client, baseline_url), repeat=scale.repeat, warmup=scale.warmup)
        results.append(
            Result(
                f"a.api.{name}.list_vs_values",
                api / base,
                LIST_TARGET,
                enforced=scale.enforce,
                detail=f"{ms(api)} vs {ms(base)}, {query_count(client, api_url)} queries",
            )
        )
    return results


# --- (b) growth with table size ----------------------------------------------------------------------
def _grow(model, rows: int):
    """Copy existing rows of `model` until its table holds `rows` (inside the caller's transaction).

    Unique keys get a distinct value; everything else is copied, so the planner sees a table like
    the seeded one, only larger."""
    table = model._meta.db_table
    have = model.objects.count()
    if have >= rows:
        return have
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = ["('G' || g || '-' || src.id)" if c == "key" else f"src.{connection.ops.quote_name(c)}" for c in columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    copies = rows // have + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {', '.join(select)} FROM {table} src "
            f"CROSS JOIN generate_series(1, %s) g LIMIT %s",
            [copies, rows - have],
        )
        cursor.execute(f"ANALYZE {table}")
    return rows


def _normalised(client, url, scale) -> tuple[float, float]:
    """Median time of `url`, and the same divided by a table-free request alternated with it.

    The small and the large table cannot alternate (the large one lives in a transaction), so each
    phase is normalised by a request that does not touch the table: a machine busier in one phase
    than in the other does not read as growth."""
    page, ping = compare(_get(client, url), _get(client, "/__bench__/ping/"), repeat=scale.repeat, warmup=scale.warmup)
    return page, page / ping


def _count_cost(queryset) -> tuple[int, bool, float]:
    """(count, is_estimate, median seconds) of the lists' own count (vpportal/core/counting.py)."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        count, estimated = bounded_count(queryset)
        times.append(time.perf_counter() - started)
    return count, estimated, sorted(times)[len(times) // 2]


def _measure(client, url, queryset, scale) -> dict:
    count, estimated, cost = _count_cost(queryset)
    truth = queryset.count()
    body = _get(client, url)().json()
    if estimated or body["count_is_estimate"] or body["count"] != truth or count != truth:
        raise SystemExit(f"GET {url}: count {body['count']} (estimate {body['count_is_estimate']}), truth {truth}")
    page, relative = _normalised(client, url, scale)
    return {"rows": truth, "queries": query_count(client, url), "page": page, "relative": relative, "count": cost}


def growth(ctx, scale, client: Client) -> list[Result]:
    results = []
    urls = _lists(ctx)
    for name, model in (("initiatives", Initiative), ("risks", Risk), ("kpis", KPI)):
        extra, condition = FILTERS[name]
        variants = (("", model.objects.all()), ("filtered", model.objects.filter(**condition)))
        small_rows = model.objects.count()
        small = {label: _measure(client, urls[name][0] + extra * bool(label), qs, scale) for label, qs in variants}
        # The grown rows live only in this transaction: the dataset stays as seeded.
        with transaction.atomic():
            large_rows = _grow(model, max(scale.grown_rows, small_rows))
            large = {label: _measure(client, urls[name][0] + extra * bool(label), qs, scale) for label, qs in variants}
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        for label, _ in variants:
            big, little = large[label], small[label]
            suffix = f".{label}" if label else ""
            results.append(
                Result(
                    f"b.api.{name}{suffix}.{large_rows}_vs_{small_rows}_rows",
                    big["relative"] / little["relative"],
                    GROWTH_TARGET,
                    enforced=scale.enforce,
                    detail=f"{ms(big['page'])} vs {ms(little['page'])}, each relative to a table-free request; "
                    f"exact counts {big['rows']} vs {little['rows']}, the count itself "
                    f"{ms(big['count'])} vs {ms(little['count'])}; queries {big['queries']} vs {little['queries']}",
                )
            )
            results.append(Result(f"b.api.{name}{suffix}.query_growth", big["queries"] - little["queries"], 0))
    results.append(_unfiltered_measurements())
    small_kpi, large_kpi = ctx["small_kpi"], ctx["large_kpi"]
    small_url = f"/api/v1/kpi-measurements/?kpi={small_kpi.pk}&limit=100"
    large_url = f"/api/v1/kpi-measurements/?kpi={large_kpi.pk}&limit=100"
    large, small = compare(_get(client, large_url), _get(client, small_url), repeat=scale.repeat, warmup=scale.warmup)
    n_small, n_large = small_kpi.measurements.count(), large_kpi.measurements.count()
    results.append(
        Result(
            f"b.api.kpi-measurements.{n_large}_vs_{n_small}_points_of_one_kpi",
            large / small,
            GROWTH_TARGET,
            enforced=scale.enforce,
            detail=f"{ms(large)} vs {ms(small)}",
        )
    )
    results.append(_keyset_depth(large_kpi, scale, client))
    return results


def _unfiltered_measurements() -> Result:
    """The one table of millions, unfiltered: where an exact count may exceed the budget, the answer
    is either exact or an estimate within the tolerance of the truth (the value: relative error)."""
    queryset = KPIMeasurement.objects.all()
    count, estimated, cost = _count_cost(queryset)
    truth = queryset.count()
    return Result(
        "b.count.kpi-measurements.unfiltered_error",
        abs(count - truth) / truth if truth else 0.0,
        ESTIMATE_TOLERANCE,
        detail=f"{'estimate' if estimated else 'exact'} {count} of {truth} rows in {ms(cost)}",
    )


def _keyset_depth(kpi, scale, client: Client) -> Result:
    """A keyset page near the end of a KPI's points against its first page: depth costs nothing."""
    from vpportal.core.api_access import KeysetPagination

    points = kpi.measurements.count()
    row = kpi.measurements.order_by("-observed_at", "-id")[points - 150]
    cursor = KeysetPagination().encode_cursor(row)
    base = f"/api/v1/kpi-measurements/?kpi={kpi.pk}&limit=100&cursor="
    deep, first = compare(_get(client, base + cursor), _get(client, base), repeat=scale.repeat, warmup=scale.warmup)
    return Result(
        f"b.api.kpi-measurements.keyset_page_at_{points - 150}_vs_first",
        deep / first,
        GROWTH_TARGET,
        enforced=scale.enforce,
        detail=f"{ms(deep)} vs {ms(first)}",
    )
