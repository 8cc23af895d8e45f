"""(a) API list pages of 100 rows against the `.values()` + JsonResponse baseline, and (b) the same
lists with a small and a large table: cost must not grow with table size."""

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from governance.models import Risk
from initiatives.models import KPI, Initiative

from .timing import Result, compare, ms

LIST_TARGET = 2.0
GROWTH_TARGET = 1.2


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


def growth(ctx, scale, client: Client) -> list[Result]:
    results = []
    urls = _lists(ctx)
    for name, model in (("initiatives", Initiative), ("risks", Risk), ("kpis", KPI)):
        url = urls[name][0]
        small_rows = model.objects.count()
        small_queries = query_count(client, url)
        small, small_relative = _normalised(client, url, scale)
        # The grown rows live only in this transaction: the dataset stays as seeded.
        with transaction.atomic():
            large_rows = _grow(model, max(scale.grown_rows, small_rows))
            large_queries = query_count(client, url)
            large, large_relative = _normalised(client, url, scale)
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        results.append(
            Result(
                f"b.api.{name}.{large_rows}_vs_{small_rows}_rows",
                large_relative / small_relative,
                GROWTH_TARGET,
                enforced=scale.enforce,
                detail=f"{ms(large)} vs {ms(small)}, each relative to a table-free request; "
                f"queries {large_queries} vs {small_queries}",
            )
        )
        results.append(Result(f"b.api.{name}.query_growth", large_queries - small_queries, 0))
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
