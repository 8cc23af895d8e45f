from django import forms
from django.utils.translation import gettext_lazy as _

from vpportal.core.forms import TrackedModelForm
from vpportal.localisation import time_zone_choices

from .models import Person
from .specs import PERSON


class PersonForm(TrackedModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, choices=time_zone_choices, help_text=Person.time_zone.field.help_text
    )

    class Meta:
        model = Person
        fields = PERSON.editable_fields()
