"""The API platform every resource shares: permissions from the role map, pagination, ETag and
If-Match concurrency, service-backed writes, and errors that are never a 500."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vpportal.events.outbox import register_shape

from .api_access import Pagination, RolePermission  # noqa: F401  (settings name them here)
from .representation import CompiledRepresentation
from .services import ConflictError, TransitionError

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


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    """Django and service errors become the API's 400/403/409/412 answers."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if name == "__all__" else name): [str(m) for m in errs.messages]
                for name, errs in exc.error_dict.items()
                for errs in [DjangoValidationError(errs)]
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "current_version": exc.current_version}, status=412)
    if isinstance(exc, TransitionError):
        body = {"detail": exc.message}
        if exc.details:
            body["failed_checks"] = exc.details
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": "The change conflicts with existing data (a duplicate or a reference in use)."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


class TrackedSerializer(CompiledRepresentation, serializers.ModelSerializer):
    """Base serializer: tracked fields are read-only; writes go through services, never `save()`.

    Reads use a representation compiled once per serializer (vpportal/core/representation.py):
    the same JSON as DRF's, without its per-field overhead on every row of a list page.
    """

    class Meta:
        read_only_fields = TRACKED_READ_ONLY


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the record as you read it; a stale value is refused with 412.",
)


def tracked_schema(viewset_cls):
    """Document the If-Match header on writes and the ETag on reads."""
    return extend_schema_view(
        update=extend_schema(parameters=[IF_MATCH], responses={200: viewset_cls.serializer_class, 412: None}),
        partial_update=extend_schema(parameters=[IF_MATCH], responses={200: viewset_cls.serializer_class, 412: None}),
        destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, 412: None}),
    )(viewset_cls)


class TrackedViewSet(viewsets.ModelViewSet):
    """A resource that is only configuration: queryset, serializer, filterset, services.

    `create_service(by=, data=)`, `update_service(obj, by=, data=, version=)` and
    `delete_service(obj, by=, version=)` are the same functions pages and admin call.
    """

    create_service = None
    update_service = None
    delete_service = None
    service_actions: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Events carry the record as this resource shows it (vpportal/events/outbox.py).
        if getattr(cls, "queryset", None) is not None and getattr(cls, "serializer_class", None) is not None:
            register_shape(cls.queryset.model, cls.queryset, cls.serializer_class)

    def get_queryset(self):
        # The API names related records by id (`owner_id` is on the row), so the joins that
        # `with_related()` adds for pages are dropped: a list of 100 rows builds 100 model instances,
        # not 500. Annotations and prefetches stay.
        return self.queryset.select_related(None).visible_to(self.request.user)

    def _expected_version(self, obj):
        header = self.request.headers.get("If-Match")
        if not header or header.strip() == "*":
            return None
        tags = [t.strip().removeprefix("W/") for t in header.split(",")]
        if obj.etag not in tags:
            raise PreconditionFailed()
        return obj.version

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = type(self).create_service(by=request.user, data=dict(serializer.validated_data))
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)
        response["ETag"] = instance.etag
        response["Location"] = request.build_absolute_uri(f"{request.path}{instance.pk}/")
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = self._expected_version(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = type(self).update_service(
            instance, by=request.user, data=dict(serializer.validated_data), version=version
        )
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        version = self._expected_version(instance)
        type(self).delete_service(instance, by=request.user, version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def action_response(self, instance, status_code=status.HTTP_200_OK):
        """Answer an action with the fresh record and its ETag."""
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status_code)
        response["ETag"] = instance.etag
        return response
