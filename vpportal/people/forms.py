from vpportal.core.forms import TrackedModelForm

from .models import Person


class PersonForm(TrackedModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "title", "function", "career_level", "manager", "active", "user"]
