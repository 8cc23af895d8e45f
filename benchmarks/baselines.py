"""Baseline views: the same rows as the API lists, read with `.values()` and answered with
`JsonResponse`, behind the same middleware (sessions, auth, CSP...). What the API costs on top of
this is the framework's share: serializers, permissions, filters, pagination.

A list baseline carries the API's columns (annotations, `*_display` texts, many-to-many ids: see
benchmarks/endpoints.py) and an exact `COUNT(*)` of the same rows, as the API answers one."""

from django.db import connection
from django.http import HttpResponseForbidden, JsonResponse

from vpportal.events.models import Event

from .endpoints import by_name

PAGE = 100
# The statements `raw_queries` runs, set by the harness: [(sql, params)].
RAW_QUERIES: list = []


def list_rows(name: str, params) -> dict:
    endpoint = by_name(name)
    queryset = endpoint.queryset().filter(**{k: v for k, v in params.items() if k not in ("limit", "offset")})
    rows = list(queryset.values(*endpoint.columns(), **endpoint.values_extra())[:PAGE])
    for key, (through, source, target) in endpoint.many.items():
        ids: dict = {}
        pairs = through.objects.filter(**{f"{source}__in": [r["id"] for r in rows]}).values_list(source, target)
        for row_id, other in pairs:
            ids.setdefault(row_id, []).append(other)
        for row in rows:
            row[key] = ids.get(row["id"], [])
    if endpoint.page is not None:
        endpoint.page(rows)
    return {"count": queryset.count(), "results": rows}


def list_view(request, name):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return JsonResponse(list_rows(name, request.GET))


EVENT_FIELDS = ["id", "type", "object_type", "object_id", "actor", "channel", "occurred_at", "data"]


def events(request):
    """The change feed's page: the events after `after`, oldest first, and whether more follow."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    after, limit = int(request.GET.get("after", 0)), int(request.GET.get("limit", PAGE))
    rows = list(Event.objects.filter(pk__gt=after).order_by("id").values(*EVENT_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return JsonResponse({"next": rows[-1]["id"] if rows else after, "has_more": more, "results": rows})


def ping(request):
    """The same middleware and session, no table: what a phase of (b) is normalised by."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return JsonResponse({"results": []})


def raw_queries(request):
    """Run captured SQL statements as they are (the dashboard's aggregate queries, run directly)."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    results = []
    with connection.cursor() as cursor:
        for sql, params in RAW_QUERIES:
            cursor.execute(sql, params)
            results.append(len(cursor.fetchall()))
    return JsonResponse({"rows": results})
