"""How the API shows a record's relations: the related record's id, a short `<name>_display` text
beside it (`owner_display: "Grace Hopper"`), and Person ids for every person-valued field.

Person-valued fields that point at a login (`created_by`, `updated_by`, `accepted_by`, `author`,
`approved_by`) answer the Person id of that login, as `owner` does (PRODUCT.md: the
API contract); the login's user id is beside it as `<name>_user`. A login without a Person reads
`null` there and its username as `<name>_display`.

The texts and the Person ids are annotations of the resource's queryset, in the same query (a
list's query count does not change with its rows): each is a scalar subquery on the related row's
primary key, not a join. With joins, a risk's eight relations made an eleven-way join whose join
order PostgreSQL searched on every request (70-200 ms of planning on the loaded benchmark machine,
for a page executed in 1 ms); a scalar subquery is planned on its own in microseconds and reads one
index entry per row of the page. A record read another way (an action answering a record of
another resource) computes them from the instance instead.

A model names the columns of its display text in `DISPLAY_FIELDS` (`("key", "title")` reads
"RSK-0007 Model drift"); relations to a model without them carry the id only.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Trim
from rest_framework import serializers

from .private_fields import private_field_names

_MISSING = object()


def display_text(obj) -> str | None:
    """The display text of `obj` computed in Python: what `display_expression` computes in SQL."""
    if obj is None:
        return None
    parts = [getattr(obj, name) for name in obj.DISPLAY_FIELDS]
    return " ".join(str(part) for part in parts if part not in (None, ""))


def _related_value(model, path: str, expression, output_field):
    """The value of `expression` on the `model` row the outer row's foreign key `path` points at
    (NULL when it points at none), as a scalar subquery."""
    rows = model._base_manager.filter(pk=OuterRef(path)).order_by().values(value=expression)[:1]
    return Subquery(rows, output_field=output_field)


def display_expression(model, path: str):
    """The SQL expression of the display text of the `model` record at relation `path`."""
    names = list(model.DISPLAY_FIELDS)
    if private_field_names(model) & set(names):
        # The subquery carries no reader, so a restricted column would not be masked in it.
        raise ValueError(f"{model.__name__}.DISPLAY_FIELDS names a restricted column.")
    if len(names) == 1:
        return _related_value(model, path, F(names[0]), CharField())
    pieces = []
    for name in names:
        if pieces:
            pieces.append(Value(" "))
        pieces.append(Coalesce(F(name), Value(""), output_field=CharField()))
    text = Trim(Concat(*pieces, output_field=CharField()))
    # No related record: the subquery answers no row, so null, as its id.
    return _related_value(model, path, text, CharField())


def user_display_expression(path: str):
    """The display text of the login at relation `path`: its person's name, or its username."""
    text = Coalesce(F("person__name"), F("username"), output_field=CharField())
    return _related_value(get_user_model(), path, text, CharField())


def user_person_expression(path: str):
    """The Person id of the login at relation `path` (null for a login without a Person)."""
    return _related_value(get_user_model(), path, F("person__id"), IntegerField())


def _person_of(user):
    return getattr(user, "person", None) if user is not None else None


def user_display(user) -> str | None:
    if user is None:
        return None
    person = _person_of(user)
    return person.name if person is not None else user.get_username()


class _Annotated:
    """A read-only value the resource's queryset annotates as `source` (`expression`), or, on an
    instance read without the annotation, computed by `compute(instance)`."""

    def __init__(self, *, expression, compute, **kwargs):
        self.expression, self.compute = expression, compute
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        value = instance.__dict__.get(self.source, _MISSING)
        return self.compute(instance) if value is _MISSING else value


class AnnotatedInteger(_Annotated, serializers.IntegerField):
    pass


class AnnotatedText(_Annotated, serializers.CharField):
    pass


def relation_fields(model, fields: dict) -> dict:
    """`fields` (a model serializer's, in order) with each foreign key's display text after it, and
    each login-valued foreign key turned into a Person id with its user id and display text."""
    user_model = get_user_model()
    shaped = {}
    for name, field in fields.items():
        shaped[name] = field
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:  # not a model field (derived, annotated)
            continue
        if not (model_field.many_to_one and model_field.concrete) or (getattr(field, "source", None) or name) != name:
            continue
        target = model_field.related_model
        if target is user_model:
            label = str(model_field.verbose_name)
            shaped[name] = AnnotatedInteger(
                source=f"api_{name}_person",
                expression=user_person_expression(name),
                compute=lambda obj, name=name: getattr(_person_of(getattr(obj, name)), "pk", None),
                help_text=f"{label.capitalize()}: the Person id (null for a login without a Person).",
            )
            shaped[f"{name}_user"] = serializers.IntegerField(
                source=model_field.attname,
                read_only=True,
                allow_null=True,
                help_text=f"{label.capitalize()}: the user account's id.",
            )
            shaped[f"{name}_display"] = AnnotatedText(
                source=f"api_{name}_display",
                expression=user_display_expression(name),
                compute=lambda obj, name=name: user_display(getattr(obj, name)),
                help_text=f"{label.capitalize()}: the person's name (the username for a login without a Person).",
            )
        elif getattr(target, "DISPLAY_FIELDS", None):
            shaped[f"{name}_display"] = AnnotatedText(
                source=f"api_{name}_display",
                expression=display_expression(target, name),
                compute=lambda obj, name=name: display_text(getattr(obj, name)),
                help_text=f"How the {model_field.verbose_name} reads (e.g. in a list), beside its id.",
            )
    return shaped


def relation_annotations(fields: dict) -> dict:
    """{annotation name: expression} of the relation fields among a serializer's `fields`."""
    return {f.source: f.expression for f in fields.values() if isinstance(f, _Annotated)}
