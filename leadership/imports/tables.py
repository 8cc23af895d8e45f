"""Reading and writing tables as CSV or XLSX: a header row, then one dict per row.

An upload is read within fixed bounds whatever it holds, so a small hostile file cannot exhaust a
worker: the file size; for XLSX the uncompressed size of the zip's parts, read from the zip's
directory before anything is inflated (a part cannot inflate past its declared size: zipfile stops
there and fails the CRC); then a streaming pre-scan of the sheet (rows, empty ones included, cells
per row, cell length) before openpyxl's read-only parser reads it. Cells go back through
`cell_guard.unguard`, so an export imports back unchanged.
"""

import csv
import io
import zipfile

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from vpportal.core.cell_guard import guarded_row, unguard, xlsx_row
from vpportal.core.export import header_column

from .sheet_scan import SheetTooLarge, scan_sheet

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767  # a spreadsheet cell's own maximum
# Uncompressed sizes of an XLSX's parts. The sheet is streamed; the shared strings are held in
# memory by openpyxl, so they get the tighter cap (benchmarks/import_memory.py measures both).
MAX_UNCOMPRESSED_BYTES = 48 * 1024 * 1024
MAX_SHEET_BYTES = 40 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_OTHER_PART_BYTES = 4 * 1024 * 1024
MAX_PARTS = 200
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MSG_ROWS = f"At most {MAX_ROWS} rows per file (empty rows count); split it."
MSG_COLUMNS = f"At most {MAX_COLUMNS} columns per file."
MSG_UNREADABLE = "The file could not be read as a spreadsheet."


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts would inflate past the caps, before inflating any of them."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise ValidationError(MSG_UNREADABLE)
    total = 0
    for part in parts:
        name = part.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            cap, what = MAX_SHEET_BYTES, "a sheet"
        elif name == "xl/sharedstrings.xml":
            cap, what = MAX_SHARED_STRINGS_BYTES, "its shared strings"
        else:
            cap, what = MAX_OTHER_PART_BYTES, "one of its parts"
        if part.file_size > cap:
            raise ValidationError(f"The spreadsheet is too large: {what} would take more than {_mb(cap)} unpacked.")
        total += part.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(f"The spreadsheet would take more than {_mb(MAX_UNCOMPRESSED_BYTES)} unpacked.")


def _xlsx_rows(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ValidationError(MSG_UNREADABLE) from None
    _check_parts(archive)
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    try:
        with archive.open(sheet._worksheet_path) as source:
            scan_sheet(source, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS, max_cell_chars=MAX_CELL_CHARS)
    except SheetTooLarge as error:
        raise ValidationError(
            {"rows": MSG_ROWS, "columns": MSG_COLUMNS}.get(
                error.what, f"A cell is longer than {MAX_CELL_CHARS} characters."
            )
        ) from None
    # Bounds passed explicitly: openpyxl otherwise pads up to the sheet's declared dimension.
    for row in sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True):
        yield [_cell(v) for v in row]


def read_table(content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV (UTF-8, comma) or XLSX (first sheet) file as dicts keyed by the header row.

    Raises ValidationError (for the form's `file` field) on anything unreadable or over a cap.
    Cell values are returned as read (NUL and other unstorable text are the importer's row errors).
    """
    if len(content) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {_mb(MAX_BYTES)}.")
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            raw = _xlsx_rows(content)
        elif name.endswith(".csv"):
            raw = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        else:
            raise ValidationError("Upload a .csv or .xlsx file.")
        header = [header_column(unguard(h)) for h in next(raw, [])]
        if len(header) > MAX_COLUMNS:
            raise ValidationError(MSG_COLUMNS)
        if not any(header):
            raise ValidationError("The file is empty: the first row must name the columns.")
        rows = []
        for line, values in enumerate(raw, start=2):
            if line > MAX_ROWS + 1:
                raise ValidationError(MSG_ROWS)
            if len(values) > MAX_COLUMNS:
                raise ValidationError(MSG_COLUMNS)
            if any(len(v) > MAX_CELL_CHARS for v in values if v):
                raise ValidationError(f"Row {line}: a cell is longer than {MAX_CELL_CHARS} characters.")
            if not any((v or "").strip() for v in values):
                continue
            rows.append(
                {
                    h: (unguard(values[i]).strip() if i < len(values) and values[i] else "")
                    for i, h in enumerate(header)
                    if h
                }
            )
        return rows
    except ValidationError:
        raise
    except UnicodeDecodeError:
        raise ValidationError("The file is not a UTF-8 CSV file.")
    except csv.Error as error:
        raise ValidationError(f"The file could not be read as CSV ({error}).")
    except Exception:  # openpyxl and zipfile raise many kinds of errors on a broken workbook
        raise ValidationError(MSG_UNREADABLE)


def csv_bytes(columns: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(guarded_row(columns))
    writer.writerows(guarded_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(columns: list[str], rows, title: str = "data") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "data")
    sheet.append(xlsx_row(sheet, columns))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
