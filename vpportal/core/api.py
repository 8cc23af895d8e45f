"""The API platform every resource shares: permissions from the role map, pagination, ETag and
If-Match concurrency, service-backed writes, and errors that are never a 500."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from vpportal.events.outbox import register_shape

from . import external
from .api_access import Pagination, RolePermission, body_limit_error  # noqa: F401  (settings name them here)
from .api_relations import relation_annotations, relation_fields
from .bounds import storable_text
from .representation import CompiledRepresentation
from .services import ConflictError, TransitionError, channel_service

logger = logging.getLogger(__name__)

TRACKED_FIELDS = ("created_at", "updated_at", "created_by", "updated_by", "version")
TRACKED_READ_ONLY = ("id", *TRACKED_FIELDS)


def spec_fields(spec, *, exclude=(), extra=()) -> list[str]:
    """A serializer's `Meta.fields`: the id, the model spec's columns (derived values among them,
    declared read-only on the serializer), `extra`, then the tracked fields."""
    return ["id", *spec.names(exclude=(*exclude, *TRACKED_FIELDS)), *extra, *TRACKED_FIELDS]


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it (If-Match does not match its ETag)."
    default_code = "precondition_failed"

    def __init__(self, detail=None, code=None, current_version=None):
        super().__init__(detail, code)
        self.current_version = current_version


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the record as you read it (this server requires it)."
    default_code = "precondition_required"


NON_FIELD_KEYS = {"non_field_errors", "__all__", ""}


def flatten_errors(detail, path: str = "") -> dict[str, list[str]]:
    """Per-field messages keyed by field path: `title`, `address.city` (nested input), `3.value`
    (the point at index 3 of a bulk batch); an item of a list field is named in the message on the
    field ("At index 2: ..."); messages that belong to no field are keyed `""`."""
    found: dict[str, list[str]] = {}

    def add(key, messages):
        found.setdefault(key, []).extend(messages)

    if isinstance(detail, dict) and path and detail and all(isinstance(k, int) for k in detail):
        # A list field's items (DRF keys them by index): the messages stay on the field itself.
        for index, value in detail.items():
            for messages in flatten_errors(value).values():
                add(path, [f"At index {index}: {m}" for m in messages])
    elif isinstance(detail, dict):
        for key, value in detail.items():
            key = "" if str(key) in NON_FIELD_KEYS else str(key)
            for sub, messages in flatten_errors(value, f"{path}.{key}" if path and key else path or key).items():
                add(sub, messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            add(path, [str(item) for item in detail])
        else:
            for index, item in enumerate(detail):
                if item:
                    for sub, messages in flatten_errors(item, f"{path}.{index}" if path else str(index)).items():
                        add(sub, messages)
    else:
        add(path, [str(detail)])
    return found


def error_body(detail, **extra) -> dict:
    """THE error shape of the API (component `Error` in the schema): `detail` always, a sentence a
    person can read (the non-field message, or which fields are wrong), and one list of messages
    per wrong field, keyed by its path. 409 from the stage gate adds `failed_checks`, 412 adds
    `current_version`."""
    if isinstance(detail, str):
        return {"detail": detail, **extra}
    found = flatten_errors(detail)
    general = found.pop("", [])
    text = " ".join(general) or ("Invalid input: " + ", ".join(found) + "." if found else "Invalid input.")
    return {**found, "detail": text, **extra}


def _respond(body, status_code, headers=None):
    set_rollback()
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc, context):
    """Every error of every API view in the one shape of `error_body`: DRF's own (400 validation,
    401, 403, 404, 405, 406, 415, 429 with Retry-After), Django's and the services' (400, 403, 409,
    412), the body limit (413), and anything unexpected (a logged 500, still JSON)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                name: [str(m) for m in DjangoValidationError(errs).messages] for name, errs in exc.error_dict.items()
            }
        else:
            detail = {"": [str(m) for m in exc.messages]}
        return _respond(error_body(detail), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return _respond(error_body(exc.message, current_version=exc.current_version), 412)
    if isinstance(exc, TransitionError):
        extra = {"failed_checks": list(exc.details)} if exc.details else {}
        return _respond(error_body(exc.message, **extra), status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return _respond(
            error_body("The change conflicts with existing data (a duplicate or a reference in use)."),
            status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        return _respond(error_body("Other records still refer to this one; remove them first."), 409)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        return _respond(error_body(str(exc)), status.HTTP_403_FORBIDDEN)
    if isinstance(exc, PreconditionFailed):
        return _respond(error_body(str(exc.detail), current_version=exc.current_version), 412)
    if isinstance(exc, RequestDataTooBig):
        exc = body_limit_error()
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, OperationalError | InterfaceError):
        return None  # re-raised: DatabaseOutageMiddleware answers 503 (vpportal/core/outage.py)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return _respond(error_body("Server error: the request was not carried out."), 500)
    response.data = error_body(response.data if isinstance(exc, ValidationError) else _plain(exc, response.data))
    return response


def _plain(exc, data) -> str:
    detail = getattr(exc, "detail", data)
    if isinstance(detail, dict | list):
        return " ".join(" ".join(m) for m in flatten_errors(detail).values())
    return str(detail)


def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer a JSON 404 in the API's error shape, not the HTML page."""
    hint = "" if request.path.endswith("/") else " (API paths end with a slash)"
    return JsonResponse(error_body(f"No API resource at {request.path}{hint}."), status=404)


class TrackedSerializer(CompiledRepresentation, serializers.ModelSerializer):
    """Base serializer: tracked fields are read-only; writes go through services, never `save()`.

    Reads use a representation compiled once per serializer (vpportal/core/representation.py):
    the same JSON as DRF's, without its per-field overhead on every row of a list page.
    """

    class Meta:
        read_only_fields = TRACKED_READ_ONLY

    def to_internal_value(self, data):
        """Unknown fields are refused by name (a typo would otherwise be silently dropped); read-only
        fields sent back as read are accepted and ignored."""
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise ValidationError({name: ["Unknown field: this resource has no such field."] for name in unknown})
        return super().to_internal_value(data)

    def get_fields(self):
        # Relations read as id + `<name>_display`; login-valued ones as Person ids (api_relations).
        return relation_fields(self.Meta.model, super().get_fields())

    @classmethod
    def relation_annotations(cls) -> dict:
        """The annotations a resource's queryset adds so its display texts and Person ids come
        from the same query as the rows."""
        return relation_annotations(cls().fields)

    def get_unique_together_constraints(self, model):
        # The external reference is checked by the model in the service (a field error on
        # `external_id`, the same on every channel); DRF's own validator would answer a non-field
        # error and make both fields default to "" on a PUT that leaves them out (clearing them).
        for entry in super().get_unique_together_constraints(model):
            constraint = entry[-1]
            if constraint is None or not constraint.name.endswith("_external_reference_unique"):
                yield entry


def spec_serializer(spec):
    """The serializer of a model that declares nothing beyond its spec's columns (`<Model>Serializer`)."""
    meta = type("Meta", (TrackedSerializer.Meta,), {"model": spec.model, "fields": spec_fields(spec)})
    name = f"{spec.model.__name__}Serializer"
    return type(name, (TrackedSerializer,), {"Meta": meta, "__module__": spec.model.__module__, "__qualname__": name})


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the record as you read it; a stale value is refused with 412.",
)


IF_NONE_MATCH_STAR = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="`*` to create only: 412 when a record already has this external reference.",
)


def record_action(body, answer, refusals: dict, *, if_match: bool = True, url_path=None, **schema):
    """Decorate a viewset method as a POST action on one record (`detail=True`) and document it:
    `body` the request's serializer (None: no body), `answer` the 200 answer, `refusals` each error
    answer as {status: description}; with `if_match`, the If-Match header and its 412. `schema`
    goes to extend_schema (description, summary)."""
    responses = {200: answer}
    for code, text in refusals.items():
        responses[code] = OpenApiResponse(description=text) if isinstance(text, str) else text
    if if_match:
        responses.setdefault(412, OpenApiResponse(description="Stale If-Match."))
    options = {"url_path": url_path} if url_path else {}

    def decorate(method):
        method = action(detail=True, methods=["post"], **options)(method)
        return extend_schema(request=body, parameters=[IF_MATCH] if if_match else [], responses=responses, **schema)(
            method
        )

    return decorate


def tracked_schema(viewset_cls):
    """Document the If-Match header on writes and the ETag on reads (and the upsert by external
    reference where the resource has one)."""
    serializer = viewset_cls.serializer_class
    operations = {
        "update": extend_schema(parameters=[IF_MATCH], responses={200: serializer, 412: None}),
        "partial_update": extend_schema(parameters=[IF_MATCH], responses={200: serializer, 412: None}),
        "destroy": extend_schema(parameters=[IF_MATCH], responses={204: None, 412: None}),
    }
    if hasattr(viewset_cls, "upsert"):
        one = viewset_cls.queryset.model._meta.verbose_name
        operations["upsert"] = extend_schema(
            request=serializer,
            parameters=[IF_MATCH, IF_NONE_MATCH_STAR],
            responses={
                200: OpenApiResponse(serializer, description=f"Updated: the {one} that had this reference."),
                201: OpenApiResponse(serializer, description=f"Created: no {one} had this reference."),
                400: OpenApiResponse(
                    description="Invalid input; or the body names another external reference than the path."
                ),
                409: OpenApiResponse(
                    description="Another request created this reference at the same moment: retry (it updates)."
                ),
                412: OpenApiResponse(
                    description="`If-Match` is stale or names a record that does not exist; or `If-None-Match: *` "
                    "and the record exists."
                ),
            },
            description=f"Create or update the {one} that another tool knows as `external_id` in "
            f"`external_system` (upsert), so the tool never stores our ids. The body is the same as a create "
            f"(a full PUT when the record exists); `external_system` and `external_id` come from the path. "
            f"201 when it was created, 200 when it was updated (a body that changes nothing keeps the version). "
            f"Example: `PUT .../external/jira/GOV-142/`.",
        )
    return extend_schema_view(**operations)(viewset_cls)


def changes(instance, data: dict) -> bool:
    """Whether writing `data` (a serializer's validated data) would change `instance`; a value that
    is not a plain model field (a service's own input) counts as a change."""
    fields = {f.name: f for f in instance._meta.get_fields()}
    for name, value in data.items():
        field = fields.get(name)
        if field is None or not getattr(field, "concrete", False) or field.auto_created and not field.many_to_many:
            return True
        if field.many_to_many:
            if {getattr(v, "pk", v) for v in value} != set(getattr(instance, name).values_list("pk", flat=True)):
                return True
        elif field.is_relation:
            if getattr(value, "pk", value) != getattr(instance, field.attname):
                return True
        elif getattr(instance, field.attname) != value:
            return True
    return False


class RecordActions:
    """What a viewset's custom actions on one record share: the If-Match check, running the action's
    service, and the answer (the fresh record with its ETag)."""

    def _expected_version(self, obj):
        header = self.request.headers.get("If-Match")
        if not header and settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired()
        if not header or header.strip() == "*":
            return None
        tags = [t.strip().removeprefix("W/") for t in header.split(",")]
        if obj.etag not in tags:
            raise PreconditionFailed(current_version=obj.version)
        return obj.version

    def action_response(self, instance, status_code=status.HTTP_200_OK):
        """Answer an action with the fresh record and its ETag."""
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status_code)
        response["ETag"] = instance.etag
        return response

    def run_action(self, service, body=None, *, record=None, version="version", data=None, **kwargs):
        """One custom action on the record of the URL: `service(<record>=the record, by=the user,
        <version>=the If-Match version, **the body's validated fields, **kwargs)`, then the answer.

        `record`: the service's keyword for the record (default: the model's name, `incident`);
        `version`: its keyword for the expected version (None: the action takes no If-Match);
        `body`: the serializer that validates the request body; `data`: pass the body's fields as
        this one keyword (a dict) instead of one keyword each."""
        instance = self.get_object()
        if version is not None:
            kwargs[version] = self._expected_version(instance)
        if body is not None:
            serializer = body(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            fields = dict(serializer.validated_data)
            kwargs.update({data: fields} if data else fields)
        service(**{record or instance._meta.model_name: instance}, by=self.request.user, **kwargs)
        return self.action_response(instance)


class TrackedViewSet(RecordActions, viewsets.ModelViewSet):
    """A resource that is only configuration: serializer, filterset, services (and a queryset where
    it serves other than its serializer model's `with_related()`).

    `writes` (vpportal.core.services.Writes) names the model's create, update and delete services,
    the same functions pages and admin call; `create_service` and the like override one of them.
    """

    writes = None
    create_service = None
    update_service = None
    delete_service = None
    service_actions: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "queryset", None) is None and getattr(cls, "serializer_class", None) is not None:
            # Without its own queryset a resource serves its serializer's model as pages list it.
            cls.queryset = cls.serializer_class.Meta.model.objects.with_related()
        serializer_class = getattr(cls, "serializer_class", None)
        tracked = isinstance(serializer_class, type) and issubclass(serializer_class, TrackedSerializer)
        if getattr(cls, "queryset", None) is not None and tracked:
            annotations = serializer_class.relation_annotations()
            if annotations:
                cls.queryset = cls.queryset.annotate(**annotations)
        # Events carry the record as this resource shows it (vpportal/events/outbox.py).
        if getattr(cls, "queryset", None) is not None and getattr(cls, "serializer_class", None) is not None:
            register_shape(cls.queryset.model, cls.queryset, cls.serializer_class)

    def get_queryset(self):
        # The API names related records by id (`owner_id` is on the row), so the joins that
        # `with_related()` adds for pages are dropped: a list of 100 rows builds 100 model instances,
        # not 500. Annotations and prefetches stay.
        return self.queryset.select_related(None).visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        """DRF's list, reading the page as `.values()` rows when the serializer can represent them
        (vpportal/core/representation.py `row_plan`): the same JSON without a model instance per
        row. What a page adds to its rows in one query is added by the list serializer
        (`RelatedIdsListSerializer`) or the viewset's `paginate_queryset` (evidence's links), to
        instances and rows alike."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer(None, many=True)
        plan = getattr(serializer.child, "row_plan", lambda: None)()
        if plan is not None and plan.selectable(queryset):
            queryset = queryset.values(*plan.columns)
        page = self.paginate_queryset(queryset)
        serializer.instance = page if page is not None else queryset
        data = serializer.data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and (
            if_none_match.strip() == "*"
            or instance.etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        ):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = instance.etag
            return response
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def create(self, request, *args, **kwargs):
        return self._create(request.data, location=lambda pk: request.build_absolute_uri(f"{request.path}{pk}/"))

    def _create(self, data, *, location):
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        instance = channel_service(type(self), "create")(by=self.request.user, data=dict(serializer.validated_data))
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)
        response["ETag"] = instance.etag
        response["Location"] = location(instance.pk)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        return self._update(instance, request.data, partial=partial)

    def _update(self, instance, data, *, partial: bool):
        request = self.request
        version = self._expected_version(instance)
        serializer = self.get_serializer(instance, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        if not changes(instance, serializer.validated_data):
            # Nothing to write: the version (and every client's ETag) stays as it is.
            response = Response(self.get_serializer(instance).data)
            response["ETag"] = instance.etag
            return response
        instance = channel_service(type(self), "update")(
            instance, by=request.user, data=dict(serializer.validated_data), version=version
        )
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = self._expected_version(instance)
        channel_service(type(self), "delete")(instance, by=request.user, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


def spec_viewset(spec, filterset_class, writes, *, serializer_class=None, base=None):
    """The resource of a model that adds nothing of its own (`<Model>ViewSet`, documented by
    tracked_schema): its serializer (the spec's unless given), FilterSet and Writes. A resource with
    actions, a docstring or a queryset of its own stays a class of its module."""
    name = f"{spec.model.__name__}ViewSet"
    attrs = {
        "serializer_class": serializer_class or spec_serializer(spec),
        "filterset_class": filterset_class,
        "writes": writes,
        "__module__": spec.model.__module__,
        "__qualname__": name,
    }
    return tracked_schema(type(name, (base or TrackedViewSet,), attrs))


UPSERT_PATH = rf"external/(?P<external_system>{external.SYSTEM_PATTERN})/(?P<external_id>{external.ID_PATTERN})"
MSG_PATH_REFERENCE = "Differs from the external reference in the path; leave it out of the body or send the same."


class ExternalReferenceViewSet(TrackedViewSet):
    """A TrackedViewSet for a model with an external reference (vpportal/core/external.py): the
    mirroring tool writes by its own id with `PUT external/{system}/{id}/` (upsert), as Salesforce
    upserts by an external id field: 201 with the new record when no record has the reference, 200
    with the record replaced (or unchanged, version kept) when one has. `If-Match` guards the update
    as on any PUT; `If-None-Match: *` asks for create only (412 when the record exists). Two
    tools creating the same reference at the same moment: one gets 201, the other 409 (the unique
    constraint); a retry updates."""

    @action(detail=False, methods=["put"], url_path=UPSERT_PATH)
    def upsert(self, request, external_system=None, external_id=None):
        reference = {"external_system": external_system, "external_id": external_id}
        # Checked before the look-up: text no column can hold (NUL) would fail in the database.
        model = self.queryset.model
        wrong = {}
        for name, value in reference.items():
            try:
                model._meta.get_field(name).clean(value, None)
            except DjangoValidationError as error:
                wrong[name] = error.messages
            if not storable_text(value):
                wrong[name] = ["Null characters and unpaired surrogates are not allowed."]
        if wrong:
            raise ValidationError(wrong)
        data = request.data
        if hasattr(data, "keys"):
            wrong = {name: [MSG_PATH_REFERENCE] for name, value in reference.items() if data.get(name, value) != value}
            if wrong:
                raise ValidationError(wrong)
            data = {**data, **reference}
        instance = self.get_queryset().filter(**reference).first()
        if instance is None:
            if request.headers.get("If-Match"):
                raise PreconditionFailed("No record has this external reference (If-Match names one).")
            return self._create(
                data, location=lambda pk: request.build_absolute_uri(self.reverse_action("detail", args=[pk]))
            )
        if (request.headers.get("If-None-Match") or "").strip() == "*":
            raise PreconditionFailed(
                "A record already has this external reference (If-None-Match: * creates only).",
                current_version=instance.version,
            )
        return self._update(instance, data, partial=False)
