import datetime

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.text import capfirst
from rest_framework.request import Request


def _in_utc(value):
    if isinstance(value, slice):
        return slice(_in_utc(value.start), _in_utc(value.stop), value.step)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)
    return value


class LabelledDateRange(django_filters.widgets.DateRangeWidget):
    """A date range filter: two date pickers with their own names ("Due date from", "... to"),
    side by side, without django-filter's bare "-" between them."""

    template_name = "vpportal/widgets/date_range.html"

    def __init__(self, label: str):
        super().__init__()
        self.widgets = [
            forms.DateInput(attrs={"type": "date", "aria-label": f"{label} from"}, format="%Y-%m-%d"),
            forms.DateInput(attrs={"type": "date", "aria-label": f"{label} to"}, format="%Y-%m-%d"),
        ]


class CheckboxDropdown(forms.CheckboxSelectMultiple):
    """A multi-value filter as a folded group of checkboxes: a native <details> (keyboard and
    screen-reader friendly, no JavaScript needed) whose summary says what is chosen, instead of a
    native multi-select that clips its options and needs Ctrl-click."""

    template_name = "vpportal/widgets/checkbox_dropdown.html"
    is_checkbox_group = True

    def __init__(self, label: str, choices=()):
        super().__init__(choices=choices)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = [
            str(option["label"])
            for _, options, _ in context["widget"]["optgroups"]
            for option in options
            if option["selected"]
        ]
        context["widget"]["label"] = self.label
        context["widget"]["summary"] = (
            ", ".join(chosen) if 0 < len(chosen) <= 2 else (f"{len(chosen)} chosen" if chosen else "Any")
        )
        return context


# Query parameters of an API page itself (pagination), never filters.
NOT_FILTERS = frozenset({"limit", "offset", "cursor"})


class SyncFilterSet(django_filters.FilterSet):
    """Base of every API list's FilterSet: `updated_after`, what a sync job asks for. A record has
    changed when one of `updated_fields` (the first of them the model has, or all that are named on
    the subclass) is after the moment."""

    updated_after = django_filters.IsoDateTimeFilter(
        method="filter_updated_after",
        label="Changed after",
        help_text="Only records created or changed after this moment (ISO 8601, e.g. 2025-01-31T09:00:00Z): "
        "what a sync job reads since its last run. Deleted records are in `audit/` and `events/`.",
    )

    updated_fields: tuple[str, ...] = ()

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

    def asks_nothing(self) -> bool:
        """Whether the request names no filter at all (only its page): every filter would be a no-op,
        so the form (django-filter builds its class and every field per request, ~5 ms for a list
        of a dozen filters) is not built. Any other parameter, known or not, goes the usual way."""
        # API lists only (DRF's request): pages and exports read the form's cleaned data themselves.
        return self.is_bound and isinstance(self.request, Request) and all(key in NOT_FILTERS for key in self.data)

    @property
    def qs(self):
        if not hasattr(self, "_qs") and self.asks_nothing():
            self._qs = self.queryset.all()
        return super().qs

    def is_valid(self):
        """Datetimes in filters are turned to UTC here: PostgreSQL refuses offsets beyond +-15:59
        (a 500 otherwise), and a value that cannot be expressed in UTC is a field error."""
        if self.asks_nothing():
            return True
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

    def filter_updated_after(self, queryset, name, value):
        stamps = self.updated_fields
        if not stamps:
            names = {f.name for f in queryset.model._meta.get_fields()}
            stamps = [next(n for n in ("updated_at", "created_at", "occurred_at") if n in names)]
        changed = Q()
        for stamp in stamps:
            changed |= Q(**{f"{stamp}__gt": value})
        return queryset.filter(changed)


class TrackedFilterSet(SyncFilterSet):
    """Base of every FilterSet: the web list and the API list use the same class.

    `q` (web) and `search` (API) are the same free-text search over the QuerySet's `search_fields`;
    subclasses add `ordering = django_filters.OrderingFilter(fields=...)` for sorting.
    """

    q = django_filters.CharFilter(
        method="filter_search", label="Search", help_text="The web list's name for `search` (same search)."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Free text: records whose main text fields contain every word.",
    )
    # Filters the web filter bar does not draw (same meaning as another, sorting by header, sync).
    hidden_in_web_form = ("search", "ordering", "updated_after")

    @property
    def form(self):
        """The filter bar as people read it, whatever filters a subclass declares: a real label on
        every filter, "Any" for the empty choice (never "---------"), date ranges as two labelled
        date pickers ("from" ... "to")."""
        if hasattr(self, "_form"):
            return self._form
        form = super().form
        for name, field in form.fields.items():
            if not field.label or "[invalid name]" in str(field.label):
                field.label = capfirst(name.replace("__", " ").replace("_", " "))
            widget = field.widget
            # Yes/no filters read "Any" rather than Django's "Unknown" when not applied.
            if isinstance(widget, forms.NullBooleanSelect):
                widget.choices = (("unknown", "Any"), ("true", "Yes"), ("false", "No"))
            elif isinstance(widget, django_filters.widgets.DateRangeWidget):
                field.widget = LabelledDateRange(str(field.label))
            elif isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
                field.widget = CheckboxDropdown(str(field.label), choices=field.choices)
            elif isinstance(field, forms.ModelChoiceField):  # its choices are a query: left lazy
                field.empty_label = "Any"
            elif isinstance(field, forms.ChoiceField):
                choices = [("", "Any") if value == "" else (value, text) for value, text in field.widget.choices]
                field.widget.choices = choices
        return form

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class ExternalReferenceFilterSet(TrackedFilterSet):
    """A TrackedFilterSet for a model with an external reference (vpportal/core/external.py): a
    mirroring tool finds its records by `external_system` (all of them) and `external_id`."""

    external_system = django_filters.CharFilter(
        label="External system", help_text="Only records mirrored from this tool (exact, e.g. jira)."
    )
    external_id = django_filters.CharFilter(
        label="External id", help_text="The record with this id in its tool (exact; give `external_system` too)."
    )
    hidden_in_web_form = (*TrackedFilterSet.hidden_in_web_form, "external_system", "external_id")


class SubsetFilter(django_filters.BooleanFilter):
    """A yes/no filter on a subset the QuerySet names (`subset(queryset)`: the overdue ones, those
    whose report is pending): yes keeps the subset, no the other records, unset all of them."""

    def __init__(self, subset, **kwargs):
        super().__init__(**kwargs)
        self.subset = subset

    def filter(self, qs, value):
        if value is None:
            return qs
        chosen = self.subset(qs)
        return chosen if value else qs.exclude(pk__in=chosen.values("pk"))
