"""Columns whose reading is restricted, masked in SQL for the reader of the query.

`PrivateTextField(readers=("held_mentor", "held_mentee"))` is a text column whose value reaches only
the people named by those foreign keys of the same row, and the users who read every value
(`vpportal.permissions.reads_every_private_value`). A query made through `visible_to(user)`
carries its reader (`query.private_reader`); every place such a query names the column (SELECT,
`values()`, `values_list()`, `only()`, `iterator()`, WHERE, ORDER BY, a join from another model)
then compiles to

    CASE WHEN (t.held_mentor_id = <person> OR t.held_mentee_id = <person>) THEN t.col ELSE '' END

so no read path can hand out, filter on or sort by what the reader may not see: the database never
returns it. A query without a reader (services re-reading the stored row, migrations, history
writes) reads the column as it is. Instances read through a reader's query remember the reader, so
a deferred column loaded later and a related manager of the instance read masked too.
"""

from functools import cached_property

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Col

from vpportal.roles import reads_every_private_value


class PrivateReader:
    """Who reads a query: resolved lazily (the person only when a private column is compiled)."""

    def __init__(self, user):
        self.user = user

    def __getstate__(self):
        # Instances read through a reader keep it, and a reused dashboard is pickled into the cache
        # (shared between servers on Redis) with them. What the masks need is decided now and kept
        # instead of the login, whose password hash (and its person's) has no place in a cache.
        state = {"user": None, "reads_everything": self.reads_everything}
        if not self.reads_everything:
            state["person_id"] = self.person_id
        return state

    @cached_property
    def reads_everything(self) -> bool:
        return reads_every_private_value(self.user)

    @cached_property
    def person_id(self):
        # The people app stands on this module, so its manager is looked up, not imported.
        person = apps.get_model("vpportal", "Person").objects.of_user(self.user)
        return person.pk if person is not None else None


def reader_of(queryset):
    return getattr(queryset.query, "private_reader", None)


def set_reader(queryset, reader):
    """Mark `queryset` (already a fresh clone) as read by `reader`."""
    queryset.query.private_reader = reader
    return queryset


class PrivateCol(Col):
    """The column, or its reader-dependent mask when the compiled query has a reader."""

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        reader = getattr(compiler.query, "private_reader", None)
        if reader is None or reader.reads_everything:
            return sql, params
        person_id = reader.person_id
        if person_id is None:
            return "''", []
        quote = compiler.quote_name_unless_alias
        prefix = f"{quote(self.alias)}." if self.alias else ""
        opts = self.target.model._meta
        columns = [opts.get_field(name).column for name in self.target.readers]
        condition = " OR ".join(f"{prefix}{quote(column)} = %s" for column in columns) or "1 = 0"
        return f"CASE WHEN ({condition}) THEN {sql} ELSE '' END", [*[person_id] * len(columns), *params]


class PrivateTextField(models.TextField):
    """A TextField masked in SQL for readers who are not among `readers` (foreign keys to Person on
    the same row). The historical model copies the field, so history tables mask the same way."""

    def __init__(self, *args, readers: tuple[str, ...] = (), **kwargs):
        self.readers = tuple(readers)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["readers"] = self.readers
        return name, path, args, kwargs

    def get_col(self, alias, output_field=None):
        return PrivateCol(alias, self, output_field)


def private_field_names(model) -> frozenset[str]:
    """The names of the model's restricted columns (admin lookups, filters and orderings refuse them)."""
    return frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, PrivateTextField))


def reaches_private_field(model, path: str) -> bool:
    """Whether a lookup path (`private_notes__regex`, `sessions__private_notes`, `-private_notes`)
    names a restricted column of `model` or of a model it joins: filtering, searching or sorting on
    one answers questions about its value (an oracle), whatever the lookup that follows."""
    for part in path.lstrip("-").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform: the path ended on a field already checked
        if isinstance(field, PrivateTextField):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False
