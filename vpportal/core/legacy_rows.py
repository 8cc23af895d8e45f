"""Bringing rows written before a bound existed inside it, so the migration that adds the bound's
constraint never fails on a production database (vpportal, initiatives and governance
`*_field_bounds` migrations).

Chosen over constraints that tolerate legacy rows (PostgreSQL's NOT VALID): a tolerated row would
fail the next time anyone saves it, far from the cause, and SQLite has no NOT VALID. Each fix is
the least surprising value (texts trimmed, a blank title named "(untitled)", a review interval
moved into 1-60) and each is reported on the migration's output, so the operator can review the
rows it names. Frozen helpers: migrations call these with their historical models.
"""

from django.db.models import Q
from django.db.models.functions import Length, Trim


def report(model, what: str, changed: int):
    """Name on the migration's output the rows a fix changed (a migration's own fix says it too)."""
    if changed:
        print(f"\n  field bounds: {model._meta.label}: {changed} row(s) {what}")


def trim_texts(model, *fields, blank_fill: str | None = None):
    """Strip spaces around each field; fill ones left blank with `blank_fill` (required texts)."""
    for field in fields:
        changed = model._base_manager.exclude(**{field: Trim(field)}).update(**{field: Trim(field)})
        report(model, f"had spaces around {field} (trimmed)", changed)
        if blank_fill is not None:
            blank = model._base_manager.annotate(_len=Length(Trim(field))).filter(_len=0)
            report(model, f"had a blank {field} (set to {blank_fill!r})", blank.update(**{field: blank_fill}))


def clamp(model, field: str, low=None, high=None, *, null_below: bool = False):
    """Move values outside [low, high] to the nearest bound (or to NULL below, with `null_below`)."""
    if low is not None:
        below = model._base_manager.filter(**{f"{field}__lt": low})
        report(
            model,
            f"had {field} below {low} (set to {'empty' if null_below else low})",
            below.update(**{field: None if null_below else low}),
        )
    if high is not None:
        above = model._base_manager.filter(**{f"{field}__gt": high})
        report(model, f"had {field} above {high} (set to {high})", above.update(**{field: high}))


def fix_currencies(model, codes, default: str = "EUR"):
    """Upper-case codes; a code that is still no ISO 4217 currency becomes `default` and its budget
    is cleared (an amount in an unknown currency is not a known amount)."""
    for row in model._base_manager.exclude(currency__in=codes).only("pk", "currency"):
        code = (row.currency or "").strip().upper()
        if code in codes:
            model._base_manager.filter(pk=row.pk).update(currency=code)
            report(model, f"had currency {row.currency!r} (set to {code})", 1)
        else:
            model._base_manager.filter(pk=row.pk).update(currency=default, budget=None)
            report(model, f"had currency {row.currency!r}, no ISO 4217 code (set to {default}, budget cleared)", 1)


def percent_kpis_out_of_range(model, unit: str = "%", flag: str = "% (review: values outside 0-100)"):
    """A KPI "in percent" with a baseline, target or threshold outside 0-100 most likely has the
    wrong unit: the unit is renamed so the figures stay as entered and a person reviews it."""
    outside = Q()
    for field in ("baseline", "target", "warning_threshold"):
        outside |= Q(**{f"{field}__lt": 0}) | Q(**{f"{field}__gt": 100})
    report(
        model,
        f"in percent had values outside 0-100 (unit set to {flag!r})",
        model._base_manager.filter(outside, unit=unit).update(unit=flag),
    )


def delete_non_finite(model, field: str):
    """Measurements of NaN or infinity mean nothing (PostgreSQL only: SQLite stores NaN as NULL)."""
    bad = model._base_manager.filter(
        Q(**{field: float("inf")}) | Q(**{field: float("-inf")}) | Q(**{field: float("nan")})
    )
    report(model, f"had a non-finite {field} (deleted)", bad.delete()[0])
