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


class CompiledRepresentation:
    """A serializer mixin: `to_representation` compiled once per serializer instance (a list's
    child serializer compiles once for the page)."""

    def to_representation(self, instance):
        represent = self.__dict__.get("_compiled_representation")
        if represent is None:
            represent = self._compiled_representation = compile_representation(self)
        return represent(instance)
