"""Baseline views: the same rows as the API lists, read with `.values()` and answered with
`JsonResponse`, behind the same middleware (sessions, auth, CSP...). What the API costs on top of
this is the framework's share: serializers, permissions, filters, pagination."""

from django.db import connection
from django.http import HttpResponseForbidden, JsonResponse

from governance.models import Risk
from initiatives.models import KPI, Initiative, KPIMeasurement

PAGE = 100
# The statements `raw_queries` runs, set by the harness: [(sql, params)].
RAW_QUERIES: list = []


def _fields(model, extra=()):
    return [f.attname for f in model._meta.concrete_fields] + list(extra)


def _answer(request, queryset):
    # Rows only, no total count: the strictest baseline (the API's count is part of what it pays).
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return JsonResponse({"results": list(queryset[:PAGE])})


def initiatives(request):
    return _answer(request, Initiative.objects.order_by("priority", "key").values(*_fields(Initiative)))


def risks(request):
    queryset = Risk.objects.with_scores().order_by("-updated_at", "-id")
    extra = ("inherent_score", "residual_score", "inherent_level", "residual_level")
    return _answer(request, queryset.values(*_fields(Risk, extra)))


def kpis(request):
    queryset = KPI.objects.with_status().order_by("name", "id")
    return _answer(request, queryset.values(*_fields(KPI, ("status", "latest_value", "latest_observed_at"))))


def kpi_measurements(request):
    queryset = KPIMeasurement.objects.filter(kpi_id=request.GET["kpi"]).order_by("-observed_at", "-id")
    return _answer(request, queryset.values(*_fields(KPIMeasurement)))


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
