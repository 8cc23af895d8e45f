"""Peak memory of an import above idle, for the largest legitimate files and for hostile ones.

    python benchmarks/import_memory.py [--database-url postgres://...] [--budget-mb 128]

Each file is read and previewed (leadership.imports: `read_table`, then `run_import(preview=True)`,
the work the import page does) in a fresh child process: the child sets Django up, warms the
reader on a small file, notes its resident memory (idle), then samples its resident memory every
few milliseconds while the import runs. The figure printed is the highest sample minus idle, with
the time taken and the outcome (rows previewed, or the refusal the user sees). Exits 1 when a file
within the upload size limit goes over the budget (issue 15.5: 128 MB).

Files: a 20,000-row CSV and XLSX near the 5 MB upload limit, an XLSX whose shared strings sit just
under their cap (the part openpyxl holds in memory), and the two bombs the security review found:
an XLSX of < 1 MB naming five million empty rows, and one whose shared strings inflate to 305 MB.
Runs on PostgreSQL (BENCH_DATABASE_URL, default vpportal_bench; created and migrated when missing).
"""

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.environment import configure, database_url, ensure_database  # noqa: E402
from benchmarks.memory import PeakSampler, rss_bytes  # noqa: E402

IMPORTER_EMAIL = "import-bench@example.com"


# --- the files ---------------------------------------------------------------------------------------
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def measurement_rows(count: int, note_chars: int):
    yield ["initiative_key", "kpi_name", "observed_at", "value", "source", "note"]
    for n in range(count):
        yield ["", "Bench KPI", f"2025-01-01T00:00:{n % 60:02d}+00:00", str(n), f"bench-{n}", "n" * note_chars]


def csv_file(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_file(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_parts(content: bytes, parts: dict) -> bytes:
    """`content` with some parts replaced; `parts` values are bytes or an iterable of byte chunks
    (streamed into the zip, so a 305 MB part is never held whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in [*names, *(n for n in parts if n not in names)]:
            data = parts.get(name)
            if data is None:
                target.writestr(name, source.read(name))
            elif isinstance(data, bytes):
                target.writestr(name, data)
            else:
                with target.open(name, "w", force_zip64=True) as part:
                    for chunk in data:
                        part.write(chunk)
    return out.getvalue()


def empty_rows_bomb() -> bytes:
    def sheet():
        yield f'<?xml version="1.0"?><worksheet {NS}><dimension ref="A1:XFD5000000"/><sheetData>'.encode()
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>'
        for _ in range(500):  # rows without `r` are numbered in order: 5,000,000 of them
            yield b"<row/>" * 10_000
        yield b"</sheetData></worksheet>"

    return with_parts(xlsx_file([["title"]]), {"xl/worksheets/sheet1.xml": sheet()})


def shared_strings(total_bytes: int, distinct=True):
    """A shared-strings part of about `total_bytes`, short strings (the costliest per byte)."""

    def part():
        yield f'<?xml version="1.0"?><sst {NS}>'.encode()
        written, n = 0, 0
        while written < total_bytes:
            chunk = b"".join(
                b"<si><t>s%d</t></si>" % (n + i) if distinct else b"<si><t>x</t></si>" for i in range(5000)
            )
            n += 5000
            written += len(chunk)
            yield chunk
        yield b"</sst>"

    return part()


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def strings_file(total_bytes: int, distinct=True) -> bytes:
    """A small workbook with a shared-strings part of `total_bytes`, declared in its content types
    (openpyxl reads the part only then; write-only workbooks use inline strings and declare none)."""
    base = xlsx_file([["title", "owner_email"], ["Strings", IMPORTER_EMAIL]])
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
    return with_parts(
        base, {"xl/sharedStrings.xml": shared_strings(total_bytes, distinct), "[Content_Types].xml": types}
    )


def build_files(folder: Path) -> list[tuple[str, Path, str]]:
    from leadership.imports.tables import MAX_BYTES, MAX_ROWS, MAX_SHARED_STRINGS_BYTES

    cases = []

    def add(name, content: bytes, suffix: str, kind: str):
        path = folder / f"{name}.{suffix}"
        path.write_bytes(content)
        cases.append((name, path, kind))

    # The largest legitimate files: MAX_ROWS rows with notes long enough to near MAX_BYTES.
    note = max(1, (MAX_BYTES - 120 * MAX_ROWS) // MAX_ROWS)
    add("csv-20000-rows", csv_file(measurement_rows(MAX_ROWS, note)), "csv", "kpi-measurements")
    add("xlsx-20000-rows", xlsx_file(measurement_rows(MAX_ROWS, note)), "xlsx", "kpi-measurements")
    just_under = MAX_SHARED_STRINGS_BYTES - 200_000
    add("xlsx-shared-strings-at-cap", strings_file(just_under), "xlsx", "initiatives")
    add("xlsx-5M-empty-rows", empty_rows_bomb(), "xlsx", "initiatives")
    add("xlsx-305MB-shared-strings", strings_file(305 * 1024 * 1024, distinct=False), "xlsx", "initiatives")
    return cases


# --- one measurement (in a child process) ------------------------------------------------------------


def measure(path: Path, kind: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from leadership.imports.importer import run_import
    from leadership.imports.tables import read_table

    user = get_user_model().objects.get(email=IMPORTER_EMAIL)
    content = path.read_bytes()
    warm = xlsx_file([["title", "owner_email"], ["Warm-up", IMPORTER_EMAIL]])
    run_import("initiatives", read_table(warm, "warm.xlsx"), by=user, preview=True)
    idle = rss_bytes()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    try:
        rows = read_table(content, path.name)
        report = run_import(kind, rows, by=user, preview=True)
        outcome = f"previewed {len(report.rows)} rows ({report.summary['error']} with errors)"
    except ValidationError as error:
        outcome = "refused: " + " ".join(error.messages)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return {"peak_above_idle_mb": round((peak - idle) / 2**20, 1), "seconds": round(seconds, 2), "outcome": outcome}


def prepare_database():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from initiatives.models import KPI
    from vpportal.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    user, _ = get_user_model().objects.get_or_create(username="import-bench", defaults={"email": IMPORTER_EMAIL})
    user.groups.add(Group.objects.get(name="executive"))
    Person.objects.get_or_create(email=IMPORTER_EMAIL, defaults={"name": "Import Bench", "user": user})
    if not KPI.objects.filter(name="Bench KPI", initiative=None).exists():
        KPI.objects.create(name="Bench KPI", unit="%", target=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=database_url())
    parser.add_argument("--budget-mb", type=float, default=128)
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        configure(args.database_url)
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return 0
    ensure_database(args.database_url)
    configure(args.database_url)
    prepare_database()
    from leadership.imports.tables import MAX_BYTES

    over = []
    with tempfile.TemporaryDirectory() as folder:
        cases = build_files(Path(folder))
        print(f"{'file':30} {'size':>9} {'peak above idle':>16} {'time':>8}  outcome")
        for name, path, kind in cases:
            child = subprocess.run(  # the same interpreter running this script, on our own file
                [sys.executable, __file__, "--database-url", args.database_url, "--measure", str(path), kind],
                capture_output=True,
                text=True,
            )
            if child.returncode:
                raise SystemExit(f"{name}: the measuring process failed\n{child.stderr}")
            result = json.loads(child.stdout.strip().splitlines()[-1])
            size = path.stat().st_size
            print(
                f"{name:30} {size / 1024:7.0f} KB {result['peak_above_idle_mb']:13.1f} MB "
                f"{result['seconds']:7.2f}s  {result['outcome']}"
            )
            if size <= MAX_BYTES and result["peak_above_idle_mb"] >= args.budget_mb:
                over.append(name)
    if over:
        print(f"Over the {args.budget_mb:g} MB budget: {', '.join(over)}")
        return 1
    print(f"Every file within the {MAX_BYTES // 2**20} MB upload limit stayed under {args.budget_mb:g} MB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
