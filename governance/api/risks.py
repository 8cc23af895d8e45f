"""API resources `ai-systems`, `risks` (with `accept`) and `mitigations`: configuration on top of the
tracked viewset; writes go through governance.services.risks, like pages and admin."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from governance.choices import RiskLevel
from governance.filtersets.risks import AISystemFilterSet, MitigationFilterSet, RiskFilterSet
from governance.models import Mitigation, Requirement, Risk
from governance.services import risks as services
from governance.specs import AI_SYSTEM, MITIGATION, RISK
from vpportal.core.api import (
    TRACKED_READ_ONLY,
    ExternalReferenceViewSet,
    TrackedSerializer,
    record_action,
    spec_fields,
    spec_viewset,
    tracked_schema,
)
from vpportal.core.bounds import text_limit


class RiskSerializer(TrackedSerializer):
    inherent_score = serializers.IntegerField(read_only=True)
    residual_score = serializers.IntegerField(read_only=True)
    inherent_level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)
    residual_level = serializers.ChoiceField(choices=RiskLevel.choices, read_only=True)

    class Meta(TrackedSerializer.Meta):
        model = Risk
        fields = spec_fields(RISK)
        read_only_fields = (*TRACKED_READ_ONLY, "key", "accepted_by", "accepted_at", "acceptance_justification")


def creates_risk(refusals: dict, description: str, **route):
    """Route and document a POST that makes a risk from another record (an incident, a library
    entry): the body is a risk's fields, the answer 201 with the new risk; `refusals` each error
    answer as {status: description}, `route` goes to @action (detail, url_path)."""
    responses = {201: RiskSerializer, **{code: OpenApiResponse(description=text) for code, text in refusals.items()}}

    def decorate(method):
        method = action(methods=["post"], **route)(method)
        return extend_schema(request=RiskSerializer, responses=responses, description=description)(method)

    return decorate


def risk_fields(prefill: dict, data, context: dict | None = None) -> dict:
    """The validated fields of a risk made from another record: those `data` leaves out come from
    `prefill`, the service's prefill from that record (related records by id)."""
    given = {name: getattr(value, "pk", value) for name, value in prefill.items() if value}
    body = RiskSerializer(data={**given, **data}, context=context or {})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class RiskFromLibrarySerializer(serializers.Serializer):
    # An id checked for range before any query (a huge number would overflow SQLite's integers).
    requirement = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The id of a risk-library entry (a requirement of the NIST AI 600-1 framework).",
    )

    def validate_requirement(self, value):
        entry = Requirement.objects.risk_library().filter(pk=value).first()
        if entry is None:
            raise serializers.ValidationError(services.MSG_NOT_A_LIBRARY_ENTRY)
        return entry


class RiskAcceptSerializer(serializers.Serializer):
    # The bound of the field it is stored in, so an over-long one is refused as `justification`.
    justification = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=text_limit(Risk, Risk._meta.get_field("acceptance_justification")),
    )


class PrimaryKeyList(serializers.ListField):
    """Ids of related records, looked up in one query (a PrimaryKeyRelatedField(many=True) runs
    one query per id)."""

    child = serializers.IntegerField(min_value=1, max_value=2**31 - 1)

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(max_length=500, **kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = {obj.pk: obj for obj in self.queryset.filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(f"No such record: {', '.join(map(str, missing[:10]))}.")
        return [found[pk] for pk in ids]

    def get_attribute(self, instance):
        ids = instance.__dict__.get("_related_ids", {}).get(self.source)
        return ids if ids is not None else super().get_attribute(instance)

    def read_row(self, row: dict, serializer) -> list:
        """The ids on a page read as `.values()` rows (RelatedIdsListSerializer put them there)."""
        return row["_related_ids"][self.source]

    def to_representation(self, value):
        return value if isinstance(value, list) else [obj.pk for obj in value.all()]


class RelatedIdsListSerializer(serializers.ListSerializer):
    """A page whose `PrimaryKeyList` fields read their ids in one query on the through table: no
    model instance or related manager per row, as `prefetch_related` builds (profiled: 40% of the
    mitigations page). The ids come in the related model's order, as the manager gives them."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        # The declared fields (not `child.fields`: a page read as rows builds no bound fields).
        fields = [
            (field.source or name, field)
            for name, field in type(self.child)._declared_fields.items()
            if isinstance(field, PrimaryKeyList) and not field.write_only
        ]
        if rows and fields:
            # Model instances, or `.values()` rows (TrackedViewSet.list): the ids go in the same place.
            slots = {}
            for row in rows:
                plain = type(row) is dict
                slots[row["id"] if plain else row.pk] = (row if plain else row.__dict__).setdefault("_related_ids", {})
            for source_name, _field in fields:
                relation = self.child.Meta.model._meta.get_field(source_name)
                through = relation.remote_field.through
                source = relation.m2m_field_name()
                target = relation.m2m_reverse_field_name()
                order = [
                    f"-{target}__{o[1:]}" if o.startswith("-") else f"{target}__{o}"
                    for o in relation.related_model._meta.ordering
                ]
                pairs = (
                    through.objects.filter(**{f"{source}__in": list(slots)})
                    .order_by(*order)
                    .values_list(f"{source}_id", f"{target}_id")
                )
                for ids in slots.values():
                    ids[source_name] = []
                for row_id, other in pairs:
                    slots[row_id][source_name].append(other)
        return super().to_representation(rows)


class RelatedIdsViewSet(ExternalReferenceViewSet):
    """A resource whose serializer reads the related ids of a page with RelatedIdsListSerializer (one
    query per relation), so its records are not prefetched into a manager per row; a single record
    reads them through its managers."""

    def __init_subclass__(cls, **kwargs):
        cls.queryset = cls.serializer_class.Meta.model.objects.with_related().prefetch_related(None)
        super().__init_subclass__(**kwargs)


class MitigationSerializer(TrackedSerializer):
    requirements = PrimaryKeyList(queryset=Requirement.objects.all(), required=False)

    class Meta(TrackedSerializer.Meta):
        model = Mitigation
        fields = spec_fields(MITIGATION)
        list_serializer_class = RelatedIdsListSerializer


AISystemViewSet = spec_viewset(AI_SYSTEM, AISystemFilterSet, services.AISYSTEM_WRITES, base=ExternalReferenceViewSet)


@tracked_schema
class RiskViewSet(ExternalReferenceViewSet):
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    writes = services.RISK_WRITES
    service_actions = ("accept",)

    @record_action(
        RiskAcceptSerializer,
        RiskSerializer,
        {
            400: "The justification is blank.",
            403: "Only executive and governance users may accept risks.",
            409: "The risk is not open (already accepted or closed).",
            412: "If-Match does not match the risk's ETag.",
        },
    )
    def accept(self, request, pk=None):
        """Accept the risk with a written justification (executive or governance)."""
        return self.run_action(services.risk_accept, RiskAcceptSerializer)

    @creates_risk(
        {400: "No such library entry, or the risk's fields are invalid.", 403: "The role may not add risks."},
        description="Register a risk from an entry of the risk library (the NIST AI 600-1 generative AI "
        "risks, listed by `GET requirements/?level=risk`): `requirement` names the entry; title, description "
        "and category not given come from it, and the entry stays linked as the risk's requirement. "
        "`likelihood` and `impact` are needed as for any risk.",
        detail=False,
        url_path="from-library",
    )
    def from_library(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        picked = RiskFromLibrarySerializer(data={"requirement": data.get("requirement")})
        picked.is_valid(raise_exception=True)
        entry = picked.validated_data["requirement"]
        fields = risk_fields(services.library_prefill(entry), data, self.get_serializer_context())
        risk = services.risk_create_from_library(entry=entry, by=request.user, data=fields)
        return self.action_response(risk, status.HTTP_201_CREATED)


@tracked_schema
class MitigationViewSet(RelatedIdsViewSet):
    serializer_class = MitigationSerializer
    filterset_class = MitigationFilterSet
    writes = services.MITIGATION_WRITES
