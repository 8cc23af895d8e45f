"""Money as people write it, from CLDR through Babel: "EUR 400,000" in pages, history and
people's exports, "€400k" where space is short (the dashboard). Never "400000.00".

A model names its money fields and the field holding each one's currency in `MONEY_FIELDS`
(`{"budget": "currency"}`); `vpportal.core.display.resolve()` then reads such a field as `Money`."""

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_compact_currency, format_currency
from django.utils import translation


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en-gb")


def money(amount, currency: str, *, compact: bool = False) -> str:
    """`amount` in `currency` (ISO 4217): the code, grouped digits and cents only when there are
    any ("EUR 400,000", "EUR 1,250.50"); `compact` uses the symbol and a short scale ("€400k")."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    currency = (currency or "").upper()
    if not currency:
        return format_currency(amount, "XXX", format="#,##0.##", locale=_locale(), currency_digits=False)
    if compact:
        return format_compact_currency(amount, currency, locale=_locale(), fraction_digits=1)
    pattern = "¤¤\u00a0#,##0" if amount == amount.to_integral_value() else "¤¤\u00a0#,##0.00"
    return format_currency(amount, currency, format=pattern, locale=_locale(), currency_digits=False)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self):
        return money(self.amount, self.currency)
