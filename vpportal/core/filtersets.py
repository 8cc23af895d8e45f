import django_filters


class TrackedFilterSet(django_filters.FilterSet):
    """Base of every FilterSet: the web list and the API list use the same class.

    `q` (web) and `search` (API) are the same free-text search over the QuerySet's `search_fields`;
    subclasses add `ordering = django_filters.OrderingFilter(fields=...)` for sorting.
    """

    q = django_filters.CharFilter(method="filter_search", label="Search")
    search = django_filters.CharFilter(method="filter_search", label="Search")

    # Filters the web filter bar does not draw (same meaning as another, or sorting by header).
    hidden_in_web_form = ("search", "ordering")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
