from django.contrib import admin

from vpportal.core.admin import TrackedAdmin

from .models import Person
from .services import person_create, person_delete, person_update


@admin.register(Person)
class PersonAdmin(TrackedAdmin):
    list_display = ("name", "email", "title", "function", "career_level", "manager", "active")
    list_filter = ("function", "career_level", "active")
    search_fields = ("name", "email", "title")
    list_select_related = ("manager",)
    autocomplete_fields = ("manager", "user")
    create_service = person_create
    update_service = person_update
    delete_service = person_delete
