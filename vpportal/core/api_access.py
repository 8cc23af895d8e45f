"""API permission and pagination classes, kept apart from the rest of the API base because DRF
imports its default classes while `rest_framework.views` itself is being imported."""

import base64
import binascii
import json
import math
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q
from rest_framework import parsers, permissions, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle as DRFAnonRateThrottle
from rest_framework.throttling import UserRateThrottle as DRFUserRateThrottle
from rest_framework.utils.urls import replace_query_param

from vpportal.permissions import perm_name

from .counting import bounded_count, page_past_count


class AnnouncedRate:
    """A DRF throttle that leaves its limit, what remains and the seconds until the window frees a
    request on the Django request; RateLimitHeadersMiddleware writes them as `RateLimit-Limit`,
    `RateLimit-Remaining`, `RateLimit-Reset` on the answer (429 also has `Retry-After`)."""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and self.rate is not None:
            remaining = self.num_requests - len(self.history) if allowed else 0
            oldest = self.history[-1] if self.history else self.now
            reset = max(0, math.ceil(self.duration - (self.now - oldest)))
            request._request.api_rate_limit = (self.num_requests, max(0, remaining), reset)
        return allowed


class AnonRateThrottle(AnnouncedRate, DRFAnonRateThrottle):
    pass


class UserRateThrottle(AnnouncedRate, DRFUserRateThrottle):
    pass


class RateLimitHeadersMiddleware:
    """Writes the rate-limit headers a throttle left on the request (API answers only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        announced = getattr(request, "api_rate_limit", None)
        if announced is not None:
            limit, remaining, reset = announced
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
        return response


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def body_limit_error() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(f"The request body is over the limit of {limit} bytes ({limit / 1_048_576:.0f} MiB).")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with Django's body limit (DATA_UPLOAD_MAX_MEMORY_SIZE) applied as a JSON
    413 naming it: DRF reads the stream itself, where Django's own check does not run."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise body_limit_error()
        return super().parse(stream, media_type, parser_context)


class Pagination(LimitOffsetPagination):
    """limit/offset pages with `count`, `count_is_estimate`, `next`, `previous`, `results`.

    `count` is exact; only where counting a very large whole table would exceed the time budget is
    it a vouched estimate within 10% (vpportal/core/counting.py). With an estimate, the page reads
    one row more than it shows to know whether there is a next page.
    """

    default_limit = 50
    max_limit = 1000

    def get_limit(self, request):
        """`limit` from 1 to `max_limit`; anything else is a 400, never a silent default."""
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_limit:
            raise ValidationError({self.limit_query_param: [f"Give a whole number from 1 to {self.max_limit}."]})
        return int(raw)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise ValidationError({self.offset_query_param: ["Give a whole number, 0 or more."]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        self.count, self.count_is_estimate = bounded_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count_is_estimate:
            rows, self.has_next = page_past_count(queryset, self.offset, self.limit)
            return rows
        self.has_next = self.offset + self.limit < self.count
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

    def get_next_link(self):
        if not self.has_next:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_is_estimate": self.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "True only when counting exactly would exceed the time budget on a very "
            "large unfiltered list; `count` is then an estimate within 10% of the truth. `next` is "
            "exact either way.",
        }
        schema["required"] = [*schema.get("required", []), "count_is_estimate"]
        return schema


class KeysetPagination(Pagination):
    """`Pagination`, plus keyset pages for large append-only tables: `?cursor=` (empty for the first
    page) pages newest first on (`keyset_field`, id) and answers a `next` link carrying the cursor
    of the last row. A page then costs the same at any depth (an offset of 500,000 reads 500,000
    rows first); `count` is the same bounded count. Forward only: `previous` is null. Without
    `cursor` the list pages by limit/offset like every other list.
    """

    cursor_query_param = "cursor"
    keyset_field = "observed_at"

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = self.cursor_query_param in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        if request.query_params.get("ordering"):
            raise ValidationError({self.cursor_query_param: ["Cursor pages come newest first; leave out `ordering`."]})
        position = self.decode_cursor(request.query_params[self.cursor_query_param])
        self.request = request
        self.limit = self.get_limit(request) or self.default_limit
        self.offset = 0
        self.count, self.count_is_estimate = bounded_count(queryset)
        field = self.keyset_field
        rows = queryset.order_by(f"-{field}", "-pk")
        if position is not None:
            moment, pk = position
            # The `<=` bound is implied by the OR; it is there so the index range starts at the cursor.
            rows = rows.filter(
                Q(**{f"{field}__lte": moment}) & (Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
            )
        page = list(rows[: self.limit + 1])
        self.has_next = len(page) > self.limit
        page = page[: self.limit]
        self.next_cursor = self.encode_cursor(page[-1]) if self.has_next else None
        return page

    def encode_cursor(self, row) -> str:
        # A model instance, or a page's `.values()` row (TrackedViewSet.list).
        moment, pk = (
            (row[self.keyset_field], row["id"]) if type(row) is dict else (getattr(row, self.keyset_field), row.pk)
        )
        position = json.dumps([moment.isoformat(), pk])
        return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")

    def decode_cursor(self, text: str):
        if not text:
            return None
        try:
            moment, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            moment = datetime.fromisoformat(moment)
            if moment.tzinfo is None or isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
                raise ValueError(pk)
            # UTC, as stored: PostgreSQL refuses some offsets Python accepts.
            moment = moment.astimezone(UTC)
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: use the `next` link of a page."]}
            ) from None
        return moment, pk

    def get_next_link(self):
        if not self.keyset:
            return super().get_next_link()
        if not self.has_next:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), self.limit_query_param, self.limit)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_previous_link(self):
        return None if self.keyset else super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset paging, newest first: empty for the first page, then the `next` "
                "link's value. Cost does not grow with depth; `offset` is ignored.",
                "schema": {"type": "string"},
            },
        ]


class RolePermission(permissions.BasePermission):
    """Model permissions from vpportal.permissions: view for reads, add/change/delete for writes.

    Custom actions need only `view` here: their service checks the action's own permission and
    raises PermissionDenied (403) itself, so the rule lives in one place.
    """

    method_actions = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def _model(self, view):
        queryset = getattr(view, "queryset", None)
        return getattr(view, "permission_model", None) or (queryset.model if queryset is not None else None)

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = self._model(view)
        if model is None:
            return True
        if not request.user.has_perm(perm_name(model, "view")):
            return False
        if getattr(view, "action", None) in getattr(view, "service_actions", ()):
            return True
        action = self.method_actions.get(request.method)
        if action == "add":
            return request.user.has_perm(perm_name(model, "add"))
        if action in ("change", "delete"):
            # Object rules may still allow the record; decided in has_object_permission.
            return True
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) in getattr(view, "service_actions", ()):
            return True
        action = self.method_actions.get(request.method)
        return request.user.has_perm(perm_name(type(obj), action), obj)
