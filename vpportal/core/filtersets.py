import django_filters
from django import forms


class TrackedFilterSet(django_filters.FilterSet):
    """Base of every FilterSet: the web list and the API list use the same class.

    `q` (web) and `search` (API) are the same free-text search over the QuerySet's `search_fields`;
    subclasses add `ordering = django_filters.OrderingFilter(fields=...)` for sorting.
    """

    q = django_filters.CharFilter(method="filter_search", label="Search")
    search = django_filters.CharFilter(method="filter_search", label="Search")

    # Filters the web filter bar does not draw (same meaning as another, or sorting by header).
    hidden_in_web_form = ("search", "ordering")

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            # Yes/no filters read "Any" rather than Django's "Unknown" when not applied.
            if isinstance(field.widget, forms.NullBooleanSelect):
                field.widget.choices = (("unknown", "Any"), ("true", "Yes"), ("false", "No"))
        return form

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
