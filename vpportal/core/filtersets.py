import datetime

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist


def _in_utc(value):
    if isinstance(value, slice):
        return slice(_in_utc(value.start), _in_utc(value.stop), value.step)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    return value


class TrackedFilterSet(django_filters.FilterSet):
    """Base of every FilterSet: the web list and the API list use the same class.

    `q` (web) and `search` (API) are the same free-text search over the QuerySet's `search_fields`;
    subclasses add `ordering = django_filters.OrderingFilter(fields=...)` for sorting.
    """

    q = django_filters.CharFilter(method="filter_search", label="Search")
    search = django_filters.CharFilter(method="filter_search", label="Search")

    # Filters the web filter bar does not draw (same meaning as another, or sorting by header).
    hidden_in_web_form = ("search", "ordering")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if getattr(filter_, "distinct", False) and self._single_valued(filter_.field_name):
                # django-filter makes every multiple-choice filter DISTINCT, for filters across a
                # to-many relation. On a column of the row itself (or an annotation) no row can
                # repeat, and DISTINCT only costs: it must compute every matching row (the KPI
                # status subqueries of 50,000 rows) before the page's LIMIT can stop the scan.
                filter_.distinct = False  # self.filters is this instance's own deep copy

    def _single_valued(self, field_name: str) -> bool:
        if "__" in field_name:
            return False
        model = self._meta.model
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:  # an annotation (KPI status): one value per row
            return True
        return field.concrete and not field.many_to_many and not field.one_to_many

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            # Yes/no filters read "Any" rather than Django's "Unknown" when not applied.
            if isinstance(field.widget, forms.NullBooleanSelect):
                field.widget.choices = (("unknown", "Any"), ("true", "Yes"), ("false", "No"))
        return form

    def is_valid(self):
        """Datetimes in filters are turned to UTC here: PostgreSQL refuses offsets beyond +-15:59
        (a 500 otherwise), and a value that cannot be expressed in UTC is a field error."""
        valid = super().is_valid()
        if not valid:
            return False
        for name, value in list(self.form.cleaned_data.items()):
            try:
                self.form.cleaned_data[name] = _in_utc(value)
            except OverflowError:
                self.form.add_error(name, "This date and time is out of range.")
                valid = False
        return valid

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
