"""A database outage answers 503 with Retry-After instead of a 500.

While PostgreSQL restarts or fails over, a view's query raises OperationalError (connection refused,
"terminating connection due to administrator command") or InterfaceError (a connection already
closed). That is a moment of unavailability, not a bug: clients and load balancers should retry, so
the answer says so. The page is a plain string: a template (context processors, the signed-in user)
could query the database again.

Only exceptions raised by a view reach `process_exception`; a middleware that queries the database
before the view runs still answers Django's 500.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

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
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        drop_failed_connections()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": DETAIL}, status=503)
        else:
            response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


def drop_failed_connections():
    """Close the connections a query failed on, so this thread's next request opens a new one
    (Django would otherwise test them at the end of the request; tests' clients skip that step).
    A connection inside a transaction is left to whoever opened it (the test harness: views have
    returned by now)."""
    for conn in connections.all(initialized_only=True):
        if conn.errors_occurred and not conn.in_atomic_block:
            conn.close()
