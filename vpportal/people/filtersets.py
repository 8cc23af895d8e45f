import django_filters

from vpportal.core.filtersets import TrackedFilterSet

from .choices import CareerLevel, Function
from .models import Person


class PersonFilterSet(TrackedFilterSet):
    function = django_filters.MultipleChoiceFilter(choices=Function.choices)
    career_level = django_filters.MultipleChoiceFilter(choices=CareerLevel.choices)
    manager = django_filters.ModelChoiceFilter(queryset=Person.objects.all())
    active = django_filters.BooleanFilter()
    ordering = django_filters.OrderingFilter(fields=("name", "email", "function", "career_level", "updated_at"))

    class Meta:
        model = Person
        fields = ["q", "function", "career_level", "manager", "active"]
