"""Statements compiled once per process, for reads whose SQL does not depend on the reader.

Building a queryset and compiling it (resolving every expression, then turning it into SQL) can cost
more than running the statement: the dashboard spent about half of its time there (docs/scaling.md,
issue 23). A `Statement` wraps a function that builds the SQL from querysets (the one definition of
each rule, e.g. `KPIQuerySet.with_status()`), runs it once per process and database, and afterwards
only binds new values of its time arguments (`today`, `now`) into the SQL it kept.

Which parameters are the time arguments is not guessed: the first call builds the statement three
times, with the real arguments and with two shifted copies of them. The SQL text must be identical
in all three; a parameter that moved by exactly an argument's shift is that argument plus a
constant offset (`now - 2 days`, `today`), and each such slot must reproduce all three builds
exactly when bound (including the database adapter's own conversion, e.g. SQLite's text dates).
Anything else (a branch on the date, a derived value such as `now.date()`, a constant date within
days of today, which means the builder read the clock itself instead of taking the argument) makes
the statement build on every call instead: correct, only not faster.

Only statements that do not depend on the reader may be compiled once: callers check the reader
(`reads_every_row()`) and build the reader's own statement otherwise.
"""

import datetime
import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Shifts of the probe builds, per argument position: whole days for dates; for moments also hours,
# minutes, seconds and microseconds, so a slot derived by rounding or truncating the moment moves by
# something else and is refused. Distinct per argument, so each slot names exactly one argument.
_PROBE_DAYS = (397, 1213)
# A constant date this close to today is taken for a clock the builder read itself.
_PRESENT_DAYS = 3


def _shift(value, argument_index: int, probe: int):
    days = _PROBE_DAYS[probe] * (argument_index + 1)
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(days=days, hours=5 + probe, minutes=7, seconds=11, microseconds=13)
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=days)
    raise TypeError(f"Statement arguments are dates or datetimes, got {type(value).__name__}")


def sql_of(built, using: str) -> tuple[str, tuple]:
    """(sql, params) of what a builder returned: a queryset, or SQL with its parameters."""
    if isinstance(built, QuerySet):
        sql, params = built.query.get_compiler(using=using).as_sql()
        return sql, tuple(params)
    sql, params = built
    return sql, tuple(params)


class _Template:
    """The SQL of a statement and, per parameter, either a constant or (argument, offset); for a
    queryset of model instances also its model and how to convert its annotations."""

    def __init__(self, sql: str, constants: tuple, slots: dict[int, tuple[str, datetime.timedelta]], adapt):
        self.sql, self.constants, self.slots, self.adapt = sql, constants, slots, adapt
        self.model, self.annotations = None, ()

    def bind(self, arguments: dict) -> tuple[str, list]:
        params = list(self.constants)
        for position, (name, offset) in self.slots.items():
            params[position] = self.adapt(arguments[name] + offset)
        return self.sql, params


def _adapter(connection):
    ops = connection.ops

    def adapt(value):
        if isinstance(value, datetime.datetime):
            return ops.adapt_datetimefield_value(value)
        return ops.adapt_datefield_value(value)

    return adapt


def _as_moment(param):
    """A parameter as a date or datetime (SQLite's adapters hand the driver ISO text), else None."""
    if isinstance(param, datetime.date):
        return param
    if isinstance(param, str) and 10 <= len(param) <= 32:
        try:
            return (datetime.datetime if len(param) > 10 else datetime.date).fromisoformat(param)
        except ValueError:
            return None
    return None


def _near_the_present(param) -> bool:
    moment = _as_moment(param)
    if moment is None:
        return False
    today = datetime.date.today()
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    return abs((day - today).days) <= _PRESENT_DAYS


def _derive(build, using: str, fixed: tuple, arguments: dict):
    """(SQL of the real arguments, template or None when the statement cannot be reused)."""
    names = sorted(arguments)
    runs = [arguments] + [{n: _shift(arguments[n], i, probe) for i, n in enumerate(names)} for probe in (0, 1)]
    built = [sql_of(build(*fixed, **args), using) for args in runs]
    actual = built[0]
    if any(sql != actual[0] or len(params) != len(actual[1]) for sql, params in built[1:]):
        return actual, None
    adapt = _adapter(connections[using])
    slots = {}
    for position, values in enumerate(zip(*(params for _, params in built), strict=True)):
        if values[0] == values[1] == values[2]:
            if _near_the_present(values[0]):
                # The builder read the clock itself (`timezone.now()`, `localdate()` inside a
                # queryset method) instead of taking the time as an argument: kept, it would go stale.
                return actual, None
            continue
        moments = [_as_moment(v) for v in values]
        if any(m is None for m in moments):
            return actual, None
        found = None
        for name in names:
            try:
                moved = [moments[p + 1] - moments[0] for p in (0, 1)]
                shifts = [runs[p + 1][name] - arguments[name] for p in (0, 1)]
            except TypeError:  # a date against a datetime
                continue
            if moved == shifts:
                found = name
                break
        if found is None:
            return actual, None
        adapted = _as_moment(adapt(arguments[found]))
        try:
            offset = moments[0] - adapted
        except TypeError:
            return actual, None
        if any(adapt(run[found] + offset) != values[i] for i, run in enumerate(runs)):
            return actual, None
        slots[position] = (found, offset)
    template = _Template(actual[0], actual[1], slots, adapt)
    first = build(*fixed, **arguments)
    if isinstance(first, QuerySet):
        connection = connections[using]
        template.model = first.model
        template.annotations = tuple(
            (alias, expression, connection.ops.get_db_converters(expression) + expression.get_db_converters(connection))
            for alias, expression in first.query.annotation_select.items()
        )
    return actual, template


class Statement:
    """SQL built by `build(*fixed, **arguments)` once per process, database and `fixed` values; later
    calls bind their `arguments` (dates, datetimes) into it. `build` returns a queryset or
    `(sql, params)`; it must not depend on the reader (see the module's docstring)."""

    _UNUSABLE = object()

    def __init__(self, build: Callable):
        self.build = build
        self._templates: dict = {}
        self._lock = threading.Lock()

    def sql(self, using: str, *fixed, **arguments) -> tuple[str, list]:
        key = (using, fixed)
        template = self._templates.get(key)
        if template is None:
            with self._lock:
                actual, template = _derive(self.build, using, fixed, arguments)
                self._templates[key] = template if template is not None else self._UNUSABLE
            return actual[0], list(actual[1])
        if template is self._UNUSABLE:
            sql, params = sql_of(self.build(*fixed, **arguments), using)
            return sql, list(params)
        return template.bind(arguments)

    def instances(self, using: str, *fixed, **arguments) -> list:
        """The model instances of a builder that returns a queryset of them, read with the kept SQL
        (`Model.objects.raw()`: fields converted as the ORM does; annotations converted here, as the
        ORM would, e.g. SQLite's text datetimes)."""
        template = self._templates.get((using, fixed))
        if template is None:
            self.sql(using, *fixed, **arguments)  # derives the template on first use
        if not isinstance(template, _Template) or template.model is None:
            return list(self.build(*fixed, **arguments).using(using))
        sql, params = template.bind(arguments)
        rows = list(template.model._default_manager.db_manager(using).raw(sql, params))
        connection = connections[using]
        for alias, expression, converters in template.annotations:
            for row in rows:
                value = getattr(row, alias)
                for convert in converters:
                    value = convert(value, expression, connection)
                setattr(row, alias, value)
        return rows

    def compiled_for(self, using: str, *fixed) -> bool:
        """Whether later calls bind into kept SQL (False: not compiled yet, or built on every call)."""
        return isinstance(self._templates.get((using, fixed)), _Template)

    def forget(self):
        """Drop the kept SQL (tests that change what a statement builds)."""
        self._templates.clear()
