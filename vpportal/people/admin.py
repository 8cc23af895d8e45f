from django.contrib import admin

from vpportal.core.admin import TrackedAdmin

from .models import Person
from .services import PERSON_WRITES
from .specs import PERSON


@admin.register(Person)
class PersonAdmin(TrackedAdmin):
    spec = PERSON
    list_filter = ("function", "career_level", "active")
    search_fields = ("name", "email", "title")
    autocomplete_fields = ("manager", "user")
    writes = PERSON_WRITES
