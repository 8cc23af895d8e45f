from vpportal.core.forms import TrackedModelForm

from .models import Person
from .specs import PERSON


class PersonForm(TrackedModelForm):
    class Meta:
        model = Person
        fields = PERSON.editable_fields()
