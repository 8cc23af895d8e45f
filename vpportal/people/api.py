from vpportal.core.api import TrackedSerializer, TrackedViewSet, spec_fields, tracked_schema

from .filtersets import PersonFilterSet
from .models import Person
from .services import person_create, person_delete, person_update
from .specs import PERSON


class PersonSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = Person
        fields = spec_fields(PERSON)


@tracked_schema
class PersonViewSet(TrackedViewSet):
    queryset = Person.objects.with_related()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    create_service = person_create
    update_service = person_update
    delete_service = person_delete
