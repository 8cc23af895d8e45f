"""The bench-only URLConf: the app's URLs plus the baseline views (selected with ROOT_URLCONF by the
harness; never part of the app)."""

from django.urls import path

from vpportal.urls import urlpatterns as app_urlpatterns

from . import baselines

urlpatterns = [
    path("__bench__/initiatives/", baselines.initiatives),
    path("__bench__/risks/", baselines.risks),
    path("__bench__/kpis/", baselines.kpis),
    path("__bench__/kpi-measurements/", baselines.kpi_measurements),
    path("__bench__/raw/", baselines.raw_queries),
    path("__bench__/ping/", baselines.ping),
    *app_urlpatterns,
]
