from vpportal.core.api import TrackedSerializer, TrackedViewSet, spec_fields, tracked_schema

from .filtersets import PersonFilterSet
from .models import Person
from .services import PERSON_WRITES
from .specs import PERSON


class PersonSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = Person
        fields = spec_fields(PERSON)


@tracked_schema
class PersonViewSet(TrackedViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    writes = PERSON_WRITES
