"""One description of a model's fields for every place that lists them: the list page's columns,
the detail page's field list, the list's CSV/XLSX export, the import/export file (choices by label,
relations by natural key) and the field lists of its form and serializer.

A spec is a `FieldSpec(model, Column(...), ..., list=(...))`; each app keeps its specs in its
`specs.py`. Adding a field to a model and a Column to its spec puts it in the export, the import
file and (with `detail=True` or a place in `list`) on the pages; forms and serializers take their
field lists from the specs.

A `Column` names an attribute of the record (a model field, an annotation, a property or a dotted
path); its label is the model field's `verbose_name` unless the column says otherwise. Where the
column shows up:

- in the list's export always (`export=False` leaves it out), in the order of the spec;
- on the detail page when `detail=True`;
- on the list page when the spec's `list` names it (in that order: the first one links to the
  record); a header sorts when the list's FilterSet orders by that name; `cell=` names a template
  that draws the cell (a badge, a value with its unit) instead of the value as text;
- in the import/export file when it is a model field or has a `file=` codec: the codec is derived
  from the model field (text, choice, number, date, yes/no, list) and must be given for relations
  (`NaturalKey(...).codec()`), which files name by natural key, never by id.

The cell readers append their problem to `errors` instead of raising, so an import preview lists
every problem of a row at once.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import classproperty
from django.utils.text import capfirst

_NOT_A_FIELD = object()


class RowError(Exception):
    """Errors of one row of a file: {column: [messages]}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def cell(row: dict, column: str) -> str:
    """The text of one cell of a file's row ('' when absent)."""
    return (row.get(column) or "").strip()


# --- codecs: how one field reads from a file's cell and writes back to one ----------------------
class Codec:
    """Base of file codecs: one file column named like the field; subclasses convert."""

    def columns(self, name: str) -> tuple[str, ...]:
        return (name,)

    def required_columns(self, name: str) -> tuple[str, ...]:
        """The columns a file must have: those whose empty cell nothing fills (no default)."""
        return ()

    def read(self, row: dict, name: str, errors: dict, cache: dict):  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, value) -> tuple:
        return ("" if value is None else value,)


@dataclass(frozen=True)
class Text(Codec):
    required: bool = False
    default: str = ""
    case: str = ""  # "upper" or "lower": how the value is stored

    def required_columns(self, name):
        return (name,) if self.required and not self.default else ()

    def read(self, row, name, errors, cache):
        value = cell(row, name)
        value = value.upper() if self.case == "upper" else value.lower() if self.case == "lower" else value
        if not value and self.required and not self.default:
            errors[name] = ["Required."]
        return value or self.default


@dataclass(frozen=True)
class Choice(Codec):
    """A stored value; the file may also give the choice's label."""

    choices: tuple
    default: object = None
    required: bool = False

    def required_columns(self, name):
        return (name,) if self.required and self.default is None else ()

    def read(self, row, name, errors, cache):
        value = cell(row, name)
        if not value:
            if self.default is None and self.required:
                errors[name] = ["Required."]
            return self.default
        values = [str(v) for v, _ in self.choices]
        if value in values:
            return value
        by_label = {str(label).lower(): v for v, label in self.choices}
        if value.lower() in by_label:
            return by_label[value.lower()]
        errors[name] = [f"“{value}” is not one of: {', '.join(values)}."]
        return None

    def write(self, value):
        """The label people read ("At risk"); read() takes it back to the stored value."""
        return ("" if value is None else str(dict(self.choices).get(value, value)),)


@dataclass(frozen=True)
class Int(Codec):
    default: int | None = None
    required: bool = False  # the file must have the column (an empty cell is the service's to judge)

    def required_columns(self, name):
        return (name,) if self.required and self.default is None else ()

    def read(self, row, name, errors, cache):
        value = cell(row, name)
        if not value:
            return self.default
        try:
            return int(value)
        except ValueError:
            errors[name] = [f"“{value}” is not a whole number."]
            return None


def _finite(value: str, name: str, errors: dict, parse, invalid, is_finite):
    """`value` read by `parse` (which raises `invalid` on what is not a number), or None with the
    cell's error in `errors`: not a number (an empty cell: required), or not finite."""
    try:
        number = parse(value)
    except invalid:
        errors[name] = [f"“{value}” is not a number." if value else "Required."]
        return None
    if not is_finite(number):
        errors[name] = ["Enter a finite number."]
        return None
    return number


class Number(Codec):
    """A decimal, written without trailing zeros (90, not 90.000000)."""

    def read(self, row, name, errors, cache):
        value = cell(row, name)
        return _finite(value, name, errors, Decimal, InvalidOperation, Decimal.is_finite) if value else None

    def write(self, value):
        if value is None:
            return ("",)
        return (format(value.normalize(), "f") if isinstance(value, Decimal) else value,)


class Float(Codec):
    def required_columns(self, name):
        return (name,)

    def read(self, row, name, errors, cache):
        return _finite(cell(row, name), name, errors, float, ValueError, math.isfinite)


class Date(Codec):
    def read(self, row, name, errors, cache):
        value = cell(row, name)
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            errors[name] = [f"“{value}” is not a date (YYYY-MM-DD)."]
            return None

    def write(self, value):
        return (value.isoformat() if value is not None else "",)


class DateTime(Date):
    def required_columns(self, name):
        return (name,)

    def read(self, row, name, errors, cache):
        value = cell(row, name)
        parsed = parse_datetime(value) if value else None
        if parsed is None:
            errors[name] = [f"“{value}” is not a date and time (ISO 8601)." if value else "Required."]
            return None
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@dataclass(frozen=True)
class Bool(Codec):
    default: bool = False

    def read(self, row, name, errors, cache):
        value = cell(row, name).lower()
        if not value:
            return self.default
        if value in ("yes", "true", "1", "y"):
            return True
        if value in ("no", "false", "0", "n"):
            return False
        errors[name] = [f"“{value}” is not yes or no."]
        return None

    def write(self, value):
        return ("yes" if value else "no",)


class List(Codec):
    """A list of short texts, comma-separated in the file; a list of choices (the model's
    `LIST_CHOICES`) is written by its labels ("Finance, Legal") and read from labels or values."""

    def __init__(self, choices=()):
        self.choices = tuple(choices)

    def read(self, row, name, errors, cache):
        by_label = {str(label).lower(): value for value, label in self.choices}
        return [by_label.get(v.strip().lower(), v.strip()) for v in cell(row, name).split(",") if v.strip()]

    def write(self, value):
        labels = dict(self.choices)
        return (", ".join(str(labels.get(v, v)) for v in value or []),)


def looked_up(cache: dict, kind: str, key, find):
    """`find()` for `key` the first time an import meets it; the same record afterwards."""
    found = cache.setdefault(kind, {})
    if key not in found:
        found[key] = find()
    return found[key]


@dataclass(frozen=True)
class NaturalKey:
    """How files name a record of `model`: by one unique-enough field, never by id. Imports look each
    value up once (`cache[cache_name]`); the kinds add the records they create there."""

    model: type
    field: str
    suffix: str  # the file column of a relation `owner` is `owner_<suffix>`
    missing: str  # the error when no record has the value: "No person with the email {}."
    case: str = ""
    cache_name: str = ""

    def normalise(self, value: str) -> str:
        return value.upper() if self.case == "upper" else value.lower() if self.case == "lower" else value

    def find(self, value: str, cache: dict):
        return looked_up(
            cache,
            self.cache_name or self.model._meta.model_name,
            value,
            lambda: self.model._default_manager.filter(**{self.field: value}).order_by("pk").first(),
        )

    def codec(self, *, required: bool = False) -> "Relation":
        return Relation(self, required)


@dataclass(frozen=True)
class Relation(Codec):
    key: NaturalKey
    required: bool = False

    def columns(self, name):
        return (f"{name}_{self.key.suffix}",)

    def required_columns(self, name):
        return self.columns(name) if self.required else ()

    def read(self, row, name, errors, cache):
        (column,) = self.columns(name)
        value = self.key.normalise(cell(row, column))
        if not value:
            if self.required:
                errors[column] = ["Required."]
            return None
        record = self.key.find(value, cache)
        if record is None:
            errors[column] = [self.key.missing.format(value)]
        return record

    def write(self, value):
        return (getattr(value, self.key.field) if value is not None else "",)


def codec_for(field) -> Codec | None:
    """The codec a model field reads and writes with, when its type says it; None for relations
    (they need a natural key) and fields of other types."""
    default = field.get_default() if field.has_default() else None
    if isinstance(field, models.ForeignKey | models.ManyToManyField):
        return None
    if isinstance(field, models.IntegerField):
        return Int(default, required=not field.null)
    if field.choices:
        return Choice(tuple(field.choices), default, required=not field.blank)
    if isinstance(field, models.BooleanField):
        return Bool(bool(default))
    if isinstance(field, models.DecimalField):
        return Number()
    if isinstance(field, models.FloatField):
        return Float()
    if isinstance(field, models.DateTimeField):
        return DateTime()
    if isinstance(field, models.DateField):
        return Date()
    if isinstance(field, models.JSONField):
        return List(getattr(field.model, "LIST_CHOICES", {}).get(field.name, ()))
    if isinstance(field, models.CharField | models.TextField):
        return Text(required=not field.blank, default=default or "")
    return None


# --- the spec ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One attribute of a record as lists, pages and files show it (see the module docstring)."""

    name: str
    label: str = ""
    detail: bool = False
    export: bool = True
    file: Codec | bool | None = None  # None: derived from the model field; False: not in files
    cell: str = ""  # a template drawing this column's list cell (it gets `obj`); default: the value


def columns(*names: str, **options) -> tuple[Column, ...]:
    """Several columns that differ only by name, in that order: `*columns("size", "sha256",
    detail=True, file=False)` in a spec."""
    return tuple(Column(name, **options) for name in names)


class FieldSpec:
    def __init__(self, model, *columns: Column, list: tuple[str, ...] = ()):
        self.model = model
        self.columns = columns
        self.by_name = {c.name: c for c in columns}
        unknown = [name for name in list if name not in self.by_name]
        if unknown:
            raise ValueError(f"{model.__name__} spec: the list names unknown columns {unknown}")
        self.list_names = list
        self.files = [(c.name, codec) for c in columns if (codec := self._codec(c)) is not None]

    def _model_field(self, name: str):
        try:
            return self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    def _codec(self, column: Column) -> Codec | None:
        if column.file is False:
            return None
        if isinstance(column.file, Codec):
            return column.file
        field = self._model_field(column.name)
        return codec_for(field) if field is not None and not field.auto_created else None

    def label(self, name: str) -> str:
        column = self.by_name.get(name)
        if column is not None and column.label:
            return column.label
        field = self._model_field(name.split(".")[0])
        return str(capfirst(field.verbose_name if field is not None else name.replace("_", " ")))

    # --- pages -----------------------------------------------------------------------------------
    def list_columns(self, filterset_class=None) -> list[tuple[str, str, str | None, str]]:
        """(path, label, ordering key or None, cell template or "") of the list page; a column sorts
        when the list's FilterSet orders by its name."""
        ordering = getattr(filterset_class, "base_filters", {}).get("ordering") if filterset_class else None
        sortable = set(getattr(ordering, "param_map", {}) or {})
        return [
            (name, self.label(name), name if name in sortable else None, self.by_name[name].cell)
            for name in self.list_names
        ]

    def admin_columns(self, *, own=()) -> tuple[str, ...]:
        """The admin change list's columns: the list page's (every column when the spec has no
        list) that the admin shows from the row itself: model fields (not many-to-many),
        `__str__`, and the admin's `own` display methods (annotations and properties want the
        pages' queries, so they are left to the pages)."""
        names = self.list_names or tuple(c.name for c in self.columns)

        def shown(name):
            field = self._model_field(name)
            is_column = field is not None and field.concrete and not field.many_to_many
            return name == "__str__" or name in own or is_column

        return tuple(name for name in names if shown(name))

    def relations(self, names) -> tuple[str, ...]:
        """The foreign keys among `names` (what a list of them joins)."""
        return tuple(n for n in names if (field := self._model_field(n)) is not None and field.many_to_one)

    def detail_fields(self) -> list[tuple[str, str]]:
        return [(c.name, self.label(c.name)) for c in self.columns if c.detail]

    def export_columns(self) -> list[tuple[str, str]]:
        return [(c.name, self.label(c.name)) for c in self.columns if c.export]

    # --- files (import and export in one format) --------------------------------------------------
    def file_columns(self) -> tuple[str, ...]:
        return tuple(column for name, codec in self.files for column in codec.columns(name))

    def required_file_columns(self) -> tuple[str, ...]:
        """The columns an import file must have (the importer refuses a file without them)."""
        return tuple(column for name, codec in self.files for column in codec.required_columns(name))

    def file_row(self, obj) -> list:
        return [value for name, codec in self.files for value in codec.write(getattr(obj, name))]

    def read_row(self, row: dict, cache: dict, errors: dict, *, skip=()) -> dict:
        """{field name: value} of every file column of `row`; problems go to `errors`."""
        return {name: codec.read(row, name, errors, cache) for name, codec in self.files if name not in skip}

    # --- forms and serializers --------------------------------------------------------------------
    def names(self, *, exclude=()) -> list[str]:
        """Every column that is one attribute of the record (a serializer's fields)."""
        return [c.name for c in self.columns if "." not in c.name and c.name not in ("__str__", *exclude)]

    def editable_fields(self, *, exclude=()) -> list[str]:
        """The model fields people write, in the spec's order (a form's or serializer's fields)."""
        names = []
        for column in self.columns:
            field = self._model_field(column.name)
            if field is not None and field.editable and not field.auto_created and column.name not in exclude:
                names.append(column.name)
        return names


class ModelFromSpec:
    """A page class names its model once, by its field spec; its URLs are named in its app's
    namespace. A page of a model without a spec, or under another namespace, sets these itself."""

    @classproperty
    def model(cls):
        return cls.spec.model

    @classproperty
    def url_namespace(cls):
        return cls.model._meta.app_label
