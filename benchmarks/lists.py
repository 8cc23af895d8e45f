"""(a) API list pages of 100 rows against the `.values()` + JsonResponse baseline carrying the same
columns and an exact count, for every resource in benchmarks/endpoints.py, and the events feed; (b)
the same lists, unfiltered and filtered, at 1,000 and at 100,000 rows: cost must not grow with table
size, and the counts stay exact (each list's count and its own cost are reported); the risk list's
cost per added row from 1,000 to 10,000 rows, in microseconds."""

import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives.models import KPIMeasurement
from vpportal.core.counting import ESTIMATE_TOLERANCE, bounded_count

from .endpoints import ENDPOINTS, ListEndpoint
from .timing import Result, compare, ms, timed_ratio

LIST_TARGET = 1.5
FEED_TARGET = 1.5
GROWTH_TARGET = 1.2


def _get(client, url):
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    return call


def _query(endpoint: ListEndpoint, ctx) -> str:
    return f"kpi={ctx['small_kpi'].pk}" if endpoint.name == "kpi-measurements" else endpoint.query


def _urls(endpoint: ListEndpoint, ctx, extra: str = "") -> tuple[str, str]:
    query = "&".join(q for q in (_query(endpoint, ctx), extra) if q)
    return (
        f"/api/v1/{endpoint.name}/?limit=100" + (f"&{query}" if query else ""),
        f"/__bench__/list/{endpoint.name}/?{query}",
    )


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)()
    return len(queries)


def _same_columns(endpoint, api_url, baseline_url, client) -> Result:
    """The baseline must answer the API's keys, or the ratio would measure a missing column."""
    api, base = _get(client, api_url)().json(), _get(client, baseline_url)().json()
    if not api["results"]:
        raise SystemExit(f"GET {api_url} answered no rows: the benchmark needs data")
    api_keys, base_keys = set(api["results"][0]), set(base["results"][0])
    differ = sorted(api_keys ^ base_keys)
    if api["count"] != base["count"]:
        differ.append(f"count {api['count']} vs {base['count']}")
    return Result(
        f"a.api.{endpoint.name}.columns_differing_from_baseline",
        len(differ),
        0,
        detail=", ".join(differ) or f"{len(api_keys)} keys and the count alike",
    )


def api_lists(ctx, scale, client: Client) -> list[Result]:
    results = []
    for endpoint in ENDPOINTS:
        api_url, baseline_url = _urls(endpoint, ctx)
        results.append(_same_columns(endpoint, api_url, baseline_url, client))
        results.append(
            timed_ratio(
                f"a.api.{endpoint.name}.list_vs_values",
                _get(client, api_url),
                _get(client, baseline_url),
                LIST_TARGET,
                scale,
                note=f"{query_count(client, api_url)} queries; both count exactly",
            )
        )
    results.append(_events_feed(ctx, scale, client))
    return results


def _events_feed(ctx, scale, client) -> Result:
    """A page of 100 from the middle of the change feed against the same rows by `.values()`."""
    first, total = ctx["events"]
    after = first + total // 2
    api_url = f"/api/v1/events/?after={after}&limit=100"
    return timed_ratio(
        f"a.api.events.feed_page_at_{total}_events_vs_values",
        _get(client, api_url),
        _get(client, f"/__bench__/events/?after={after}&limit=100"),
        FEED_TARGET,
        scale,
        note=f"{query_count(client, api_url)} queries",
    )


# --- (b) growth with table size ----------------------------------------------------------------------
def _resize(model, rows: int) -> int:
    """Make `model`'s table hold `rows` rows (inside the caller's transaction, rolled back after).

    Growing copies existing rows (unique keys get a distinct value; everything else is copied, so
    the planner sees a table like the seeded one, only larger). Shrinking deletes the rows past the
    first `rows`: foreign keys to them are deferred and never checked, since nothing commits. The
    deleted rows stay in the indexes until a VACUUM, which cannot run inside the transaction, so a
    newest-first list steps over them before its page in the small phase (keeping the newest rows
    instead would leave the filtered risk list fewer rows than a page: 84 of 100)."""
    table = connection.ops.quote_name(model._meta.db_table)
    have = model.objects.count()
    with connection.cursor() as cursor:
        if have > rows:
            cursor.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM {table} ORDER BY id LIMIT %s)", [rows])
        elif have < rows:
            columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
            select = [
                "('G' || g || '-' || src.id)" if c == "key" else f"src.{connection.ops.quote_name(c)}" for c in columns
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {', '.join(select)} FROM {table} src "
                f"CROSS JOIN generate_series(1, %s) g LIMIT %s",
                [rows // have + 1, rows - have],
            )
        cursor.execute(f"ANALYZE {table}")
    return rows


@contextmanager
def _resized(model, rows: int):
    """The table at `rows` rows for the block, as seeded again after it."""
    with transaction.atomic():
        yield _resize(model, rows)
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _normalised(client, url, scale) -> tuple[float, float]:
    """Median time of `url`, and the same divided by a table-free request alternated with it.

    The small and the large table cannot alternate (each lives in its own transaction), so each
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


def _phases(endpoint, ctx, scale, client, sizes) -> dict:
    """{rows: {variant: measurement}} of the endpoint's page at each table size."""
    variants = [("", endpoint.model.objects.all(), "")]
    if endpoint.filter:
        extra, condition = endpoint.filter
        variants.append(("filtered", endpoint.model.objects.filter(**condition), extra))
    measured = {}
    for rows in sizes:
        with _resized(endpoint.model, rows):
            measured[rows] = {
                label: _measure(client, _urls(endpoint, ctx, extra)[0], queryset, scale)
                for label, queryset, extra in variants
            }
    return measured


def growth(ctx, scale, client: Client) -> list[Result]:
    results = []
    for endpoint in ENDPOINTS:
        if not endpoint.grow:
            continue
        seeded = endpoint.model.objects.count()
        small_rows = min(scale.list_small_rows, seeded)
        sizes = [small_rows, max(scale.grown_rows, seeded)]
        if endpoint.name == "risks" and seeded not in sizes:
            sizes.insert(1, seeded)  # the cost per added row from 1,000 to the seeded 10,000
        measured = _phases(endpoint, ctx, scale, client, sizes)
        small, large = measured[sizes[0]], measured[sizes[-1]]
        for label in small:
            big, little = large[label], small[label]
            suffix = f".{label}" if label else ""
            results.append(
                Result(
                    f"b.api.{endpoint.name}{suffix}.{sizes[-1]}_vs_{sizes[0]}_rows",
                    big["relative"] / little["relative"],
                    GROWTH_TARGET,
                    enforced=scale.enforce,
                    detail=f"{ms(big['page'])} vs {ms(little['page'])}, each relative to a table-free request; "
                    f"exact counts {big['rows']} vs {little['rows']}, the count itself "
                    f"{ms(big['count'])} vs {ms(little['count'])}; queries {big['queries']} vs {little['queries']}",
                )
            )
            results.append(Result(f"b.api.{endpoint.name}{suffix}.query_growth", big["queries"] - little["queries"], 0))
        if endpoint.name == "risks" and len(sizes) == 3:
            results.append(_per_row(measured, sizes))
    results.append(_unfiltered_measurements())
    small_kpi, large_kpi = ctx["small_kpi"], ctx["large_kpi"]
    small_url = f"/api/v1/kpi-measurements/?kpi={small_kpi.pk}&limit=100"
    large_url = f"/api/v1/kpi-measurements/?kpi={large_kpi.pk}&limit=100"
    n_small, n_large = small_kpi.measurements.count(), large_kpi.measurements.count()
    results.append(
        timed_ratio(
            f"b.api.kpi-measurements.{n_large}_vs_{n_small}_points_of_one_kpi",
            _get(client, large_url),
            _get(client, small_url),
            GROWTH_TARGET,
            scale,
        )
    )
    results.append(_keyset_depth(large_kpi, scale, client))
    return results


def _per_row(measured, sizes) -> Result:
    """Microseconds each added row costs the risk list's page, from the first size to the second:
    the difference of the two phases' times relative to a table-free request, in that request's
    time (reported: the issue asks for the figure, with no target)."""
    small, seeded = measured[sizes[0]][""], measured[sizes[1]][""]
    ping = (small["page"] / small["relative"] + seeded["page"] / seeded["relative"]) / 2
    per_row = (seeded["relative"] - small["relative"]) * ping / (sizes[1] - sizes[0]) * 1e6
    return Result(
        f"b.api.risks.us_per_row_{sizes[0]}_to_{sizes[1]}",
        per_row,
        1.0,
        enforced=False,
        detail=f"{ms(seeded['page'])} vs {ms(small['page'])} for {sizes[1]:,} vs {sizes[0]:,} risks; reported",
    )


def _unfiltered_measurements() -> Result:
    """The one table of millions, unfiltered: the count is exact (maintained), or where it is not,
    an estimate within the tolerance of the truth (the value: relative error)."""
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
    return timed_ratio(
        f"b.api.kpi-measurements.keyset_page_at_{points - 150}_vs_first",
        _get(client, base + cursor),
        _get(client, base),
        GROWTH_TARGET,
        scale,
    )
