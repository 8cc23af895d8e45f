"""The API contract, documented in one place for every resource (settings name these): each
operation's real error answers with the one `Error` schema, the `If-Match` / `If-None-Match`
headers where they apply, and descriptions written for integrators rather than code docstrings.

A new resource built on `TrackedViewSet` (or any DRF view under /api/v1/) inherits all of it;
`tests/test_api_contract.py` walks every operation of the schema and checks these rules.
"""

import inspect

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.plumbing import is_list_serializer


class TokenScheme(KnoxTokenScheme):
    """The portal's knox authentication (vpportal/people/tokens.py) is documented as knox's is."""

    target_class = "vpportal.people.tokens.TokenAuthentication"


ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API has this shape. `detail` is always there: a sentence for a "
    "person (the message that belongs to no field, or which fields are wrong). Each wrong field has "
    "its own list of messages under its name, or under its path in nested input (`address.city`; in a bulk "
    "batch, `3.value` is the `value` of the point at index 3 and `3` the point as a whole). Example: "
    '`{"detail": "Invalid input: title.", "title": ["This field is required."]}`.',
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in plain words."},
        "failed_checks": {
            "type": "array",
            "items": {"type": "string"},
            "description": "409 from the stage gate: each check that failed, in plain words.",
        },
        "current_version": {
            "type": "integer",
            "nullable": True,
            "description": "412: the record's version now; read it again before retrying.",
        },
    },
    "required": ["detail"],
    "additionalProperties": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The messages of one field, keyed by the field's name or path.",
    },
}

ERRORS = {
    "400": "Invalid input: `detail` says what, and each wrong field (or query parameter) has its messages "
    "under its name. Unknown fields are refused by name.",
    "401": "No credentials, or a token that is unknown, revoked or expired. Send `Authorization: Token <key>`.",
    "403": "Your role may not do this.",
    "404": "No such record, or one you may not see.",
    "409": "Not allowed now: `detail` says why (the record's state, a duplicate, a reference in use).",
    "412": "`If-Match` does not match the record's ETag: someone changed it since you read it. Nothing was "
    "changed; read it again (`current_version`) and retry.",
    "413": "The request body is over the server's limit (`detail` names it).",
    "415": "Send the body as `application/json` (uploads: `multipart/form-data`).",
    "428": "This server requires `If-Match` on writes (setting `API_REQUIRE_IF_MATCH`).",
    "429": "Too many requests: wait the seconds of `Retry-After`.",
}

SUCCESS = {
    "200": "Done: the answer carries the record (or the figures) as they are now.",
    "201": "Created: the answer carries the new record, its `ETag` and a `Location` header.",
    "202": "Accepted: carried out in the background; the answer says what to follow.",
    "204": "Done: nothing to answer.",
}

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` of the record as you read it. A stale one is refused with 412 and nothing "
    "changes; without it the write is not checked (unless the server sets `API_REQUIRE_IF_MATCH`: 428).",
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` you hold: 304 with no body when the record has not changed since.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
TRACKED_ACTIONS = {"update", "partial_update", "destroy"}


def _names(view):
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is None:
        return None, None
    return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def default_description(view, action: str) -> str:
    """An integrator's description of a standard operation, from the model's names."""
    one, many = _names(view)
    if one is None:
        return ""
    one = f"{'an' if one[:1].lower() in 'aeiou' else 'a'} {one}"
    texts = {
        "list": f"The {many} you may see, a page at a time (`limit` up to the maximum, `offset`). Filter by the "
        f"query parameters below; `search` looks through the main text fields; `ordering` sorts. A sync "
        f"job asks only for what changed with `updated_after` (the `updated_at` of the newest record it "
        f"has read), e.g. `?updated_after=2025-01-31T09:00:00Z&ordering=updated_at`.",
        "retrieve": f"Read {one}. The answer carries an `ETag`: send it back as `If-Match` on a write to be "
        f"sure nobody changed the record in between, or as `If-None-Match` to get 304 when nothing changed.",
        "create": f"Create {one}. Fields are checked like the web form's (400 with a message per field); "
        f"unknown fields are refused. The answer is the new record with its `ETag` and a `Location` header.",
        "update": f"Replace the writable fields of {one}. Send `If-Match` with the `ETag` you read: a stale one "
        f"answers 412 and nothing changes. A write that changes nothing keeps the version.",
        "partial_update": f"Change some fields of {one} (only those sent). Send `If-Match` with the `ETag` you "
        f"read: a stale one answers 412 and nothing changes. A write that changes nothing keeps the version.",
        "destroy": f"Delete {one} (kept in its history). Send `If-Match` with the `ETag` you read; 409 when "
        f"other records still refer to it.",
    }
    return texts.get(action, "")


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the rules of the API contract, applied to every operation."""

    def get_description(self):
        """`extend_schema(description=...)`, else the docstring of the action's own method (a custom
        action's, written for integrators; never a class docstring), else the standard text."""
        described = super().get_description()  # docstrings are off in the settings
        if described:
            return described
        action = getattr(self.view, "action", None) or ""
        method = getattr(type(self.view), action, None)
        if hasattr(method, "mapping"):  # a custom @action
            return inspect.cleandoc(method.__doc__ or "")
        return default_description(self.view, action)

    def _tracked(self) -> bool:
        from .api import TrackedViewSet  # the API base imports DRF views; this module is loaded by settings

        return isinstance(self.view, TrackedViewSet)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        method = method.lower()
        action = getattr(self.view, "action", None)
        parameters = operation.setdefault("parameters", [])
        names = {(p.get("in"), p.get("name")) for p in parameters}
        responses = operation.setdefault("responses", {})
        codes = set()
        if operation.get("security") != [] and not self._is_public():
            codes |= {"401", "403", "429"}
        else:
            codes |= {"429"}
        if "{" in path:
            codes.add("404")
        if "requestBody" in operation:
            codes |= {"400", "413", "415"}
        if any(p.get("in") == "query" for p in parameters):
            codes.add("400")
        if method in WRITE_METHODS and self._tracked():
            codes.add("409")
        answers_412 = "412" in responses or (self._tracked() and action in TRACKED_ACTIONS)
        if answers_412:
            codes |= {"412", "428"}
            if ("header", "If-Match") not in names:
                parameters.append(dict(IF_MATCH))
        if self._tracked() and action == "retrieve":
            if ("header", "If-None-Match") not in names:
                parameters.append(dict(IF_NONE_MATCH))
            responses.setdefault("304", {"description": "Not modified: the `ETag` you sent is the current one."})
        for code, answer in responses.items():
            if code[0] in "23" and not answer.get("description"):
                answer["description"] = SUCCESS.get(code, "Done.")
        for code in sorted(codes | {c for c in responses if c[0] in "45"}):
            documented = responses.get(code) or {}
            description = documented.get("description") or ERRORS.get(code, "Error.")
            responses[code] = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
        return operation

    def _is_public(self) -> bool:
        classes = getattr(self.view, "permission_classes", ())
        return any(getattr(c, "__name__", "") in ("AllowAny", "DocsAccess") for c in classes)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and not is_list_serializer(serializer) and _strict(serializer):
            schema["additionalProperties"] = False
        return schema


def _strict(serializer) -> bool:
    from .api import TrackedSerializer

    return isinstance(serializer, TrackedSerializer)


def postprocess(result, generator, request, public):
    """The one `Error` component every error answer refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result
