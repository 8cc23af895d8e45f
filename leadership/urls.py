"""The top floor's pages: dashboard, what's due, search, the executive report, import/export."""

from leadership.dashboard import urls as dashboard_urls
from leadership.imports import urls as import_urls
from leadership.reports import urls as report_urls

urlpatterns = [*dashboard_urls.urlpatterns, *report_urls.urlpatterns, *import_urls.urlpatterns]
