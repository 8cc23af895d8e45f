from vpportal.core.api import TrackedViewSet, spec_serializer, tracked_schema

from .filtersets import PersonFilterSet
from .services import PERSON_WRITES
from .specs import PERSON

PersonSerializer = spec_serializer(PERSON)


@tracked_schema
class PersonViewSet(TrackedViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    writes = PERSON_WRITES
