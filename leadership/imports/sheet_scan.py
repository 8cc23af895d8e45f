"""A streaming pre-scan of one XLSX sheet's XML, before openpyxl parses it.

openpyxl's read-only reader builds each row's cells as a list before handing the row over, and pads
rows up to the highest row number a file names: `<row r="5000000"/>` alone becomes five million
empty rows, and one row of a million `<c/>` a list of a million dicts. This scan keeps nothing but
counters (SAX events, no tree) and stops at the first bound a sheet passes. defusedxml refuses
entity tricks (billion laughs, external entities).
"""

import re

# Only the ContentHandler base class comes from the stdlib: parsing is defusedxml's make_parser.
import xml.sax.handler  # nosec B406

from defusedxml.sax import make_parser

_COLUMN = re.compile(r"[A-Za-z]{1,3}")


class SheetTooLarge(Exception):
    """`what` is `rows`, `columns` or `cell`."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _column_number(reference: str) -> int:
    match = _COLUMN.match(reference)
    number = 0
    for letter in match.group(0).upper() if match else "":
        number = number * 26 + ord(letter) - 64
    return number


class _Counter(xml.sax.handler.ContentHandler):
    def __init__(self, max_rows: int, max_columns: int, max_cell_chars: int):
        super().__init__()
        self.max_rows, self.max_columns, self.max_cell_chars = max_rows, max_columns, max_cell_chars
        self.row = 0
        self.cells = 0
        self.column = 0
        self.text = None  # characters of the current <v>/<t>, when inside one

    def startElement(self, name, attrs):
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            if self.row > self.max_rows:
                raise SheetTooLarge("rows")
            self.cells, self.column = 0, 0
        elif local == "c":
            self.cells += 1
            reference = attrs.get("r")
            self.column = _column_number(reference) if reference else self.column + 1
            if self.cells > self.max_columns or self.column > self.max_columns:
                raise SheetTooLarge("columns")
        elif local in ("v", "t", "f"):
            self.text = 0

    def endElement(self, name):
        if name.rsplit(":", 1)[-1] in ("v", "t", "f"):
            self.text = None

    def characters(self, content):
        if self.text is not None:
            self.text += len(content)
            if self.text > self.max_cell_chars:
                raise SheetTooLarge("cell")


def scan_sheet(source, *, max_rows: int, max_columns: int, max_cell_chars: int) -> None:
    """Raise SheetTooLarge when the sheet XML in `source` (a binary file) passes a bound."""
    parser = make_parser()
    parser.setContentHandler(_Counter(max_rows, max_columns, max_cell_chars))
    parser.parse(source)
