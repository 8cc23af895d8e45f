from django.contrib import admin

from vpportal.core.admin import TrackedAdmin

from .models import Person
from .services import person_create, person_delete, person_update
from .specs import PERSON


@admin.register(Person)
class PersonAdmin(TrackedAdmin):
    spec = PERSON
    list_filter = ("function", "career_level", "active")
    search_fields = ("name", "email", "title")
    autocomplete_fields = ("manager", "user")
    create_service = person_create
    update_service = person_update
    delete_service = person_delete
