"""Small real files made on the spot (standard library only): a one-page PDF with a few lines of
text and a PNG chart of bars. The demo data attaches them as believable evidence."""

import io
import struct
import zlib


def pdf(title: str, lines: list[str]) -> bytes:
    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace")

    body = b"BT /F1 16 Tf 72 740 Td (" + escape(title) + b") Tj /F1 11 Tf"
    for line in lines:
        body += b" 0 -18 Td (" + escape(line) + b") Tj"
    body += b" ET"
    return pdf_page(body)


def pdf_page(body: bytes) -> bytes:
    """A one-page PDF whose page draws `body` (PDF content operators) in Helvetica as /F1."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bars(values: list[float], *, width=240, height=120, color=(37, 99, 235)) -> bytes:
    """A bar chart of `values` (0..1) on white."""
    bar = max(width // max(len(values), 1), 1)
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            index = min(x // bar, len(values) - 1)
            filled = x % bar < bar - 4 and (height - y) <= values[index] * (height - 8)
            row += bytes(color) if filled else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
