"""A compiled `to_representation` for model serializers: the same JSON as DRF's, at a fraction of
the cost on list pages.

DRF walks every field of every row through `Field.get_attribute()` (nested-source handling,
callables, defaults) and `Field.to_representation()`. For the common shapes (a model column or an
annotation read by name, a foreign key shown as its id, text, numbers, choices, UTC datetimes and
lists of those)
the outcome is known in advance, so each field is compiled once per serializer into a small
function. Anything else (nested serializers, `source="*"`, dotted sources, custom fields, values of
an unexpected type) goes through DRF's own code, so the output never differs; the equivalence is
tested on every API serializer (tests/test_api_representation.py).

List pages go one step further (`row_plan`): when every field of a serializer is such a column or
declares `read_row(row)` (ids of related records read for the whole page), the page is read with
`.values()` and represented from those dicts, building no model instance at all. The rows come from
the same queryset (its reader's private-column masks are in its SQL, vpportal/core/private_fields.py),
so nothing a model instance would hide can appear; a serializer that adjusts a row with an instance
(its own `to_representation`) is never read this way.
"""

import datetime
import inspect

from django.core.exceptions import FieldDoesNotExist
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField, RelatedField
from rest_framework.settings import api_settings

_MISSING = object()
_ZERO = datetime.timedelta(0)


def _drf_value(field, instance):
    """DRF's own path for one field: (present, value)."""
    try:
        attribute = field.get_attribute(instance)
    except SkipField:
        return False, None
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    if check_for_none is None:
        return True, None
    return True, field.to_representation(attribute)


def _plain_attribute(model, field) -> str | None:
    """The instance attribute a field reads directly, when DRF's lookup would give the same value."""
    if field.source == "*" or len(field.source_attrs) != 1:
        return None
    name = field.source_attrs[0]
    if isinstance(field, RelatedField):
        if not (
            isinstance(field, PrimaryKeyRelatedField)
            and type(field).get_attribute is RelatedField.get_attribute
            and type(field).to_representation is PrimaryKeyRelatedField.to_representation
            and field.use_pk_only_optimization()
            and field.pk_field is None
        ):
            return None
        try:
            return model._meta.get_field(name).attname
        except FieldDoesNotExist:  # not a model relation: leave it to DRF
            return None
    # A data descriptor (property, relation) on the class wins over the instance dict in getattr.
    if hasattr(inspect.getattr_static(model, name, None), "__set__"):
        return None
    return name


def _column_attribute(model, field) -> str | None:
    """A field reading a model column by its attribute name (`created_by_user` from
    `created_by_id`): on an instance Django's descriptor stands in between, on a row it is the column."""
    if isinstance(field, RelatedField) or field.source == "*" or len(field.source_attrs) != 1:
        return None
    name = field.source_attrs[0]
    for model_field in model._meta.concrete_fields:
        if model_field.attname == name:
            return name
    return None


def _converter(field):
    """A function value -> representation for a non-None value, equal to `field.to_representation`."""
    method = type(field).to_representation
    if isinstance(field, PrimaryKeyRelatedField):
        return None  # the id is the representation
    if method is serializers.CharField.to_representation:
        return str
    if method is serializers.IntegerField.to_representation:
        return int
    if method is serializers.FloatField.to_representation:
        return float
    if method is serializers.ChoiceField.to_representation:
        choices, slow = field.choice_strings_to_values, field.to_representation

        def choice(value):
            return choices.get(value, value) if type(value) is str and value else slow(value)

        return choice
    if method is serializers.DateTimeField.to_representation:
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if not isinstance(output_format, str) or output_format.lower() != ISO_8601:
            return field.to_representation
        slow = field.to_representation
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        utc_zone = zone is not None and datetime.datetime(2000, 1, 1, tzinfo=zone).utcoffset() == _ZERO
        utc_zone = utc_zone and datetime.datetime(2000, 7, 1, tzinfo=zone).utcoffset() == _ZERO

        def moment(value):
            # An aware UTC value in a UTC zone: astimezone() changes nothing DRF would print.
            if utc_zone and type(value) is datetime.datetime and value.utcoffset() == _ZERO:
                text = value.isoformat()
                return text[:-6] + "Z" if text.endswith("+00:00") else text
            return slow(value)

        return moment
    if method is serializers.ListField.to_representation:
        item_converter = _converter(field.child)
        if item_converter is None:
            return field.to_representation

        def items(data):
            return [item_converter(item) if item is not None else None for item in data]

        return items
    return field.to_representation


def compile_representation(serializer):
    """instance -> dict, equal to `serializers.Serializer.to_representation(serializer, instance)`."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    steps = []
    for field in serializer._readable_fields:
        attribute = _plain_attribute(model, field) if model is not None else None
        steps.append((field.field_name, field, attribute, _converter(field) if attribute else None))

    def represent(instance):
        values = instance.__dict__
        result = {}
        for name, field, attribute, convert in steps:
            if attribute is not None:
                value = values.get(attribute, _MISSING)
                if value is not _MISSING and not callable(value):
                    result[name] = value if value is None or convert is None else convert(value)
                    continue
            present, value = _drf_value(field, instance)
            if present:
                result[name] = value
        return result

    return represent


class RowPlan:
    """How a serializer class's rows are read as dicts: `columns` for `.values()`, and
    `represent(row, serializer)`. Built once per class (from a serializer without context), so a
    list page builds no serializer fields at all; a field that reads a row itself is handed the
    page's own serializer (`read_row(row, serializer)`, answering the representation), which carries
    the request."""

    def __init__(self, columns: list[str], represent):
        self.columns, self.represent = columns, represent

    def selectable(self, queryset) -> bool:
        """Whether `queryset` can answer every column (a derived value it does not annotate is
        computed by the model: that page is read as instances)."""
        query = queryset.query
        names = {f.attname for f in queryset.model._meta.concrete_fields}
        names.update(query.annotations, query.extra)
        return all(column in names for column in self.columns)


def compile_row_plan(serializer) -> RowPlan | None:
    """A RowPlan equal to the compiled representation of model instances, or None when a field
    needs the instance (a dotted source, a method field, a nested serializer...)."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        return None
    columns, steps = [], []
    for field in serializer._readable_fields:
        if callable(getattr(field, "read_row", None)):  # a field that knows how to read a row wins
            steps.append((field.field_name, None, field.read_row, None))
            continue
        attribute = _plain_attribute(model, field) or _column_attribute(model, field)
        if attribute is None:
            return None
        if attribute not in columns:
            columns.append(attribute)
        steps.append((field.field_name, attribute, None, _converter(field)))
    if "id" not in columns:
        return None  # the page's own helpers (related ids, cursors) key rows by id

    def represent(row, serializer):
        result = {}
        for name, attribute, read_row, convert in steps:
            if read_row is None:
                value = row[attribute]
                result[name] = value if value is None or convert is None else convert(value)
            else:
                result[name] = read_row(row, serializer)
        return result

    return RowPlan(columns, represent)


class CompiledRepresentation:
    """A serializer mixin: `to_representation` compiled once per serializer instance (a list's
    child serializer compiles once for the page); a dict is a row read by `row_plan()`."""

    def to_representation(self, instance):
        if type(instance) is dict:
            return self.row_plan().represent(instance, self)
        represent = self.__dict__.get("_compiled_representation")
        if represent is None:
            represent = self._compiled_representation = compile_representation(self)
        return represent(instance)

    def row_plan(self) -> RowPlan | None:
        """How this serializer's class reads a list page as `.values()` rows (None: as model
        instances), compiled once per class."""
        cls = type(self)
        if "_row_plan" not in cls.__dict__:
            own = cls.to_representation is CompiledRepresentation.to_representation
            cls._row_plan = compile_row_plan(cls()) if own else None
        return cls._row_plan
