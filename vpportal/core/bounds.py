"""Field bounds every channel shares: validators the models run in `full_clean()` (which every
write service calls) and the database constraints that back them where SQL can say the same.

The rules themselves are listed in the README (rules section). Generic bounds apply to every field
of every tracked model (`clean_generic_fields`, called by Tracked.clean_fields): text is stripped
and may not hold NUL, long text has a ceiling, dates stay in a plausible window. Field-specific
bounds (money, currency, capacity, ...) are validators on the field and a named CheckConstraint.
"""

import datetime
import json
import math

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim, Upper
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def storable_text(text: str) -> bool:
    """False for text no database column takes: NUL (PostgreSQL refuses it) or a lone surrogate
    (JSON allows "\\ud800", UTF-8 does not)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


# Long text (descriptions, notes, Markdown bodies): generous for a person, far below what would
# make a page, an export or a history diff unusable. A model may raise it per field (TEXT_LIMITS).
TEXT_MAX_LENGTH = 20_000
# Dates a user could mean: nothing in this portal predates 1970 or is planned past 2100.
EARLIEST_DATE = datetime.date(1970, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# A measurement or session may be stamped a little ahead of the server's clock (clock skew).
CLOCK_SKEW = datetime.timedelta(minutes=5)


def currency_codes() -> frozenset[str]:
    """ISO 4217 codes from pycountry's maintained list (updated with the package, not by hand)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@deconstructible
class CurrencyValidator:
    message = _("Enter an ISO 4217 currency code such as EUR, USD or GBP.")

    def __call__(self, value):
        if value not in currency_codes():
            raise ValidationError(self.message, code="currency")

    def __eq__(self, other):
        return isinstance(other, CurrencyValidator)


@deconstructible
class FiniteValidator:
    message = _("Enter a finite number.")

    def __call__(self, value):
        if value is not None and not math.isfinite(float(value)):
            raise ValidationError(self.message, code="finite")

    def __eq__(self, other):
        return isinstance(other, FiniteValidator)


def not_in_future(value, *, what="date"):
    """For things that happened (a session held, a milestone done): not after today (dates) or now
    plus a little clock skew (timestamps)."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        if value > timezone.now() + CLOCK_SKEW:
            raise ValidationError(_("This cannot be in the future."), code="future")
    elif value > timezone.localdate():
        raise ValidationError(_("This cannot be in the future."), code="future")


# --- constraints -----------------------------------------------------------------------------------


def not_blank(field: str) -> models.CheckConstraint:
    """A required text that is not empty or spaces only (the validators strip it first)."""
    return models.CheckConstraint(
        condition=GreaterThan(Length(Trim(field)), 0), name=f"%(app_label)s_%(class)s_{field}_not_blank"
    )


def at_least(field: str, minimum, *, nullable: bool = False, name: str | None = None) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": minimum})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=f"%(app_label)s_%(class)s_{name or field + '_min'}")


def within(field: str, low, high, *, nullable: bool = False, name: str | None = None) -> models.CheckConstraint:
    condition = Q(**{f"{field}__range": (low, high)})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=f"%(app_label)s_%(class)s_{name or field + '_range'}")


def currency_shape(field: str = "currency") -> models.CheckConstraint:
    """The database holds three upper-case letters; membership of ISO 4217 is the validator's
    (a list in a constraint would need a migration whenever ISO adds a currency)."""
    return models.CheckConstraint(
        condition=Exact(Length(field), 3) & Exact(Upper(field), models.F(field)),
        name=f"%(app_label)s_%(class)s_{field}_iso_shape",
    )


# --- generic bounds of every field ---------------------------------------------------------------


def text_limit(instance, field) -> int | None:
    """The most characters a text field takes (a model or an instance; None: not long text). Also
    read by the writes that check text without full_clean (the measurements' bulk ingest)."""
    if isinstance(field, models.TextField):
        return getattr(instance, "TEXT_LIMITS", {}).get(field.name, TEXT_MAX_LENGTH)
    return None


def clean_generic_fields(instance, exclude) -> dict:
    """Strip every text field and check the bounds no field may break; {field: [errors]}."""
    errors: dict[str, list] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            if "\x00" in value:
                errors.setdefault(field.name, []).append(_("Null characters are not allowed."))
                continue
            value = value.strip()
            setattr(instance, field.attname, value)
            limit = text_limit(instance, field)
            if limit is not None and len(value) > limit:
                errors.setdefault(field.name, []).append(
                    _("Ensure this text has at most %(limit)s characters (it has %(length)s).")
                    % {"limit": f"{limit:,}", "length": f"{len(value):,}"}
                )
        elif isinstance(field, models.JSONField) and value not in (None, "", [], {}):
            # Lists of tags or functions: as bounded as a text, and no NUL in any item.
            text = json.dumps(value, cls=field.encoder)
            if "\\u0000" in text:
                errors.setdefault(field.name, []).append(_("Null characters are not allowed."))
            elif len(text) > TEXT_MAX_LENGTH:
                errors.setdefault(field.name, []).append(
                    _("Ensure this list is shorter than %(limit)s characters.") % {"limit": f"{TEXT_MAX_LENGTH:,}"}
                )
        elif (
            isinstance(value, datetime.date)
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)
        ):
            day = value.date() if isinstance(value, datetime.datetime) else value
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                errors.setdefault(field.name, []).append(
                    _("Enter a date between %(start)s and %(end)s.")
                    % {"start": EARLIEST_DATE.isoformat(), "end": LATEST_DATE.isoformat()}
                )
    return errors
