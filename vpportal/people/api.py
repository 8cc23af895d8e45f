from vpportal.core.api import TrackedSerializer, TrackedViewSet, tracked_schema

from .filtersets import PersonFilterSet
from .models import Person
from .services import person_create, person_delete, person_update


class PersonSerializer(TrackedSerializer):
    class Meta(TrackedSerializer.Meta):
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "title",
            "function",
            "career_level",
            "manager",
            "active",
            "user",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
            "version",
        ]


@tracked_schema
class PersonViewSet(TrackedViewSet):
    queryset = Person.objects.with_related()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    create_service = person_create
    update_service = person_update
    delete_service = person_delete
