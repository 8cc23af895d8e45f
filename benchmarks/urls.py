"""The bench-only URLConf: the app's URLs plus the baseline views (selected with ROOT_URLCONF by the
harness; never part of the app)."""

from django.urls import path

from vpportal.urls import urlpatterns as app_urlpatterns

from . import baselines

urlpatterns = [
    path("__bench__/list/<str:name>/", baselines.list_view),
    path("__bench__/events/", baselines.events),
    path("__bench__/raw/", baselines.raw_queries),
    path("__bench__/ping/", baselines.ping),
    *app_urlpatterns,
]
