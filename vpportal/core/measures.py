"""Measured values as people read them: a KPI's value rounded to its precision, then its unit
("15.50 %", "42 NPS"). One helper for every page, the report and the charts' text alternatives,
so a KPI reads the same wherever it is shown."""

from django.template.defaultfilters import floatformat

# Decimal places a KPI may show (KPI.precision, checked by its validator and constraint).
MAX_PRECISION = 6
DEFAULT_PRECISION = 2


def format_measure(value, unit: str = "", precision: int | None = DEFAULT_PRECISION) -> str:
    """`value` with `precision` decimals (none for a whole number, as floatformat's negative
    argument: "90 %", "15.50 %"), then the unit; "" for no value."""
    if value is None:
        return ""
    places = DEFAULT_PRECISION if precision is None else precision
    text = floatformat(value, -places if places else 0)
    return f"{text} {unit}" if unit else text
