"""API resource `evidence/`: multipart create (the file and the link lists), metadata updates as
JSON, `download/` streaming the file. Link fields come from the registry: every kind declared
attachable (evidence.registry) is a list of ids here (`risks: [3, 7]`)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from evidence import registry, uploads
from evidence.downloads import download_response
from evidence.filtersets import EvidenceFilterSet
from evidence.models import Evidence, EvidenceLink
from evidence.services import evidence as services
from evidence.specs import EVIDENCE
from vpportal.core.api import TRACKED_READ_ONLY, TrackedSerializer, TrackedViewSet, spec_fields, tracked_schema

READ_ONLY = ("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class LinkIds(serializers.ListField):
    """Ids of records of one attachable kind, among those the caller sees (one query)."""

    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        super().__init__(max_length=500, required=False, **kwargs)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            data = data.getlist(self.field_name)
        if isinstance(data, str):
            data = [part for part in data.replace(",", " ").split() if part]
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        user = self.context["request"].user
        found = {obj.pk: obj for obj in self.kind.visible(user).filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(
                f"No such {self.kind.label_singular}: {', '.join(map(str, missing[:10]))}."
            )
        return [found[pk] for pk in ids]

    def get_attribute(self, instance):
        links = getattr(instance, "_link_ids", None)
        if links is None:
            links = instance._link_ids = link_ids([instance.pk]).get(instance.pk, {})
        return links.get(self.kind.name, [])

    def read_row(self, row: dict, serializer) -> list:
        """A page read as `.values()` rows: EvidenceViewSet.paginate_queryset put the links there."""
        return row["_link_ids"].get(self.kind.name, [])

    def to_representation(self, value):
        return list(value)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.getlist(self.field_name)
        return super().get_value(dictionary)


class DownloadUrlField(serializers.SerializerMethodField):
    """The file's download link: from the record's id alone, so a page read as rows has it too."""

    def read_row(self, row: dict, serializer) -> str:
        return serializer.download_url_of(row["id"])


def _link_fields():
    return {kind.name: LinkIds(kind=kind) for kind in registry.attachables()}


class _EvidenceSerializer(TrackedSerializer):
    file = serializers.FileField(write_only=True, required=True, use_url=False)
    is_current = serializers.BooleanField(read_only=True)
    download_url = DownloadUrlField()

    class Meta(TrackedSerializer.Meta):
        model = Evidence
        fields = spec_fields(EVIDENCE, extra=("file", "download_url", *[k.name for k in registry.attachables()]))
        read_only_fields = (*TRACKED_READ_ONLY, *READ_ONLY)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple) and "file" in fields:
            fields["file"].required = False
        return fields

    def get_download_url(self, obj) -> str:
        return self.download_url_of(obj.pk)

    def download_url_of(self, pk) -> str:
        request = self.context.get("request")
        url = f"/api/v1/evidence/{pk}/download/"
        return request.build_absolute_uri(url) if request else url

    def validate(self, attrs):
        if self.instance is not None and "file" in attrs:
            raise serializers.ValidationError({"file": "Upload a new version with POST …/file/."})
        return attrs


# The link fields are the registry's: declared on the class so Meta.fields may name them.
EvidenceSerializer = type(
    "EvidenceSerializer",
    (_EvidenceSerializer,),
    {"__module__": __name__, "__doc__": _EvidenceSerializer.__doc__, **_link_fields()},
)


def link_ids(evidence_ids) -> dict:
    """{evidence id: {link name: [ids]}} for a page of evidence (one query)."""
    names = {type_id: name for name, type_id in registry.content_type_ids().items()}
    result = {pk: {} for pk in evidence_ids}
    for evidence_id, type_id, object_id in EvidenceLink.objects.filter(evidence__in=list(result)).values_list(
        "evidence_id", "content_type_id", "object_id"
    ):
        if type_id in names:
            result[evidence_id].setdefault(names[type_id], []).append(object_id)
    for links in result.values():
        for ids in links.values():
            ids.sort()
    return result


class ReplaceFileSerializer(serializers.Serializer):
    file = serializers.FileField()


@tracked_schema
class EvidenceViewSet(TrackedViewSet):
    queryset = Evidence.objects.with_related()
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    # Uploads (create, a new file) are multipart; metadata updates JSON, as everywhere else (the
    # default parser): one request body type per operation, 415 for any other.
    upload_actions = ("create", "file")
    update_service = services.evidence_update
    delete_service = services.evidence_delete
    service_actions = ("file",)

    def get_parsers(self):
        request = getattr(self, "request", None)
        action = getattr(self, "action", None)
        if action is None and request is not None:
            action = self.action_map.get(request.method.lower())
        if action in self.upload_actions:
            return [MultiPartParser()]
        return super().get_parsers()

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            uploads.install(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and uploads.declared_too_large(request._request):
            raise PayloadTooLarge(uploads.msg_too_large())

    def _refuse_if_too_large(self, request):
        request.data  # noqa: B018  (parses the body through the upload handler)
        if getattr(request._request, "evidence_refused", None) == uploads.TOO_LARGE:
            raise PayloadTooLarge(uploads.msg_too_large())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # Model instances, or `.values()` rows (TrackedViewSet.list reads a page as rows).
            plain = bool(page) and type(page[0]) is dict
            ids = link_ids([e["id"] for e in page] if plain else [e.pk for e in page])
            for evidence in page:
                if plain:
                    evidence["_link_ids"] = ids[evidence["id"]]
                else:
                    evidence._link_ids = ids[evidence.pk]
        return page

    def create(self, request, *args, **kwargs):
        self._refuse_if_too_large(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        instance = services.evidence_create(by=request.user, data=data, upload=upload)
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)
        response["ETag"] = instance.etag
        response["Location"] = request.build_absolute_uri(f"{request.path}{instance.pk}/")
        return response

    @extend_schema(
        request={"multipart/form-data": ReplaceFileSerializer},
        responses={200: EvidenceSerializer, 400: OpenApiResponse(description="The file is refused."), 413: None},
    )
    @action(detail=True, methods=["post"], url_path="file")
    def file(self, request, pk=None):
        """Upload a new version of the file; the earlier one stays in the history."""
        self._refuse_if_too_large(request)
        evidence = self.get_object()
        if not services.may_change(request.user, evidence):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("You may change none of the records this evidence is attached to.")
        version = self._expected_version(evidence)
        body = ReplaceFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.evidence_replace_file(
            evidence, by=request.user, upload=body.validated_data["file"], version=version
        )
        return self.action_response(evidence)

    @extend_schema(
        parameters=[OpenApiParameter("sha256", str, description="An earlier version of the file, by its hash.")],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file, as an attachment.")},
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        """The file, streamed, with its original name; `?sha256=` for an earlier version."""
        evidence = self.get_object()
        try:
            return download_response(evidence, request.query_params.get("sha256"))
        except LookupError:
            raise NotFound("No such version of this file.")


router = SimpleRouter()
router.register("evidence", EvidenceViewSet, basename="evidence")
