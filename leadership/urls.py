"""The top floor's pages: home, dashboard, what's due, search, the executive report, import/export."""

from django.urls import path

from leadership.dashboard import urls as dashboard_urls
from leadership.imports import urls as import_urls
from leadership.reports import urls as report_urls
from leadership.views import home

urlpatterns = [
    path("", home, name="home"),
    *dashboard_urls.urlpatterns,
    *report_urls.urlpatterns,
    *import_urls.urlpatterns,
]
