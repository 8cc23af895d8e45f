"""A database outage answers 503 with Retry-After instead of a 500.

While PostgreSQL restarts or fails over, a view's query raises OperationalError (connection refused,
"terminating connection due to administrator command") or InterfaceError (a connection already
closed). That is a moment of unavailability, not a bug: clients and load balancers should retry, so
the answer says so. The page (templates/503.html) is rendered without the request, so no context
processor (the signed-in user, the navigation) queries the database again; PAGE is its fallback.

Exceptions raised by a view reach `process_exception`; one raised by a middleware before the view
(the MFA check looking the signed-in user up) reaches Django's 500 handler, `server_error` below,
which answers the same 503 for a database outage.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

# A PostgreSQL restart takes a few seconds; clients that honour the header come back after it.
RETRY_AFTER_SECONDS = 5
DETAIL = "The database is unavailable for a moment. Please try again in a few seconds."
PAGE = (
    "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>Unavailable - VP Portal</title></head>"
    f"<body><h1>VP Portal is unavailable for a moment</h1><p>{DETAIL}</p></body></html>\n"
)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return outage_response(request, exception)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a database outage raised outside a view still answers 503; anything else is
    Django's own 500 page. Django calls it while handling the exception, so it is in sys.exc_info()."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return outage_response(request, exception)
    return defaults.server_error(request, template_name)


def outage_response(request, exception):
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
    drop_failed_connections()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DETAIL}, status=503)
    else:
        response = HttpResponse(_page(), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _page() -> str:
    try:
        return render_to_string("503.html", {"detail": DETAIL})
    except Exception:  # the page must answer whatever else is broken  # noqa: BLE001
        logger.exception("The 503 page could not be drawn")
        return PAGE


def drop_failed_connections():
    """Close the connections a query failed on, so this thread's next request opens a new one
    (Django would otherwise test them at the end of the request; tests' clients skip that step).
    A connection inside a transaction is left to whoever opened it (the test harness: views have
    returned by now)."""
    for conn in connections.all(initialized_only=True):
        if conn.errors_occurred and not conn.in_atomic_block:
            conn.close()
