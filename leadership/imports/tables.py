"""Reading and writing tables as CSV or XLSX: a header row, then one dict per row."""

import csv
import io

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV (UTF-8, comma) or XLSX (first sheet) file as dicts keyed by the header row.

    Raises ValidationError (for the form's `file` field) on anything unreadable.
    """
    if len(content) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            raw = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
        elif name.endswith(".csv"):
            raw = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        else:
            raise ValidationError("Upload a .csv or .xlsx file.")
        header = [h.strip().lower() for h in next(raw, [])]
        if not any(header):
            raise ValidationError("The file is empty: the first row must name the columns.")
        rows = []
        for values in raw:
            if not any((v or "").strip() for v in values):
                continue
            rows.append(
                {h: (values[i].strip() if i < len(values) and values[i] else "") for i, h in enumerate(header) if h}
            )
            if len(rows) > MAX_ROWS:
                raise ValidationError(f"At most {MAX_ROWS} rows per file; split it.")
        return rows
    except ValidationError:
        raise
    except (UnicodeDecodeError, csv.Error):
        raise ValidationError("The file is not a UTF-8 CSV file.")
    except Exception:  # openpyxl raises many kinds of errors on a broken workbook
        raise ValidationError("The file could not be read as a spreadsheet.")


def csv_bytes(columns: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(columns: list[str], rows, title: str = "data") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "data")
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
