"""HTML to PDF with weasyprint. The report's print styles live here (the PDF is never served as a
page, so the CSP does not apply to it); pages use Bootstrap and portal.css instead.

The styles are chosen for weasyprint's speed as much as for looks (benchmarks/report.py measures it;
profiled on the demo data, the executive report went from about 0.85 s to 0.4 s of CPU):
- no flexbox: weasyprint lays a flex item out several times to find its size, and every table in
  it with it. The report's two columns are floats, the heat map and its table two table cells;
- `table-layout: fixed`: column widths come from the first row instead of measuring every cell's
  text twice (minimum and preferred width);
- no PDF bookmarks from the headings (weasyprint extracts each heading's text for them);
- one system font (DejaVu Sans, no web fonts, subset on embedding) and charts as inline SVG.
"""

import functools
import logging

PDF_CSS = """
@page { size: A4 landscape; margin: 10mm 10mm 12mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #6c757d; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #212529; }
h1 { font-size: 14pt; margin: 0 0 1mm; } h2 { font-size: 10pt; margin: 3mm 0 1.5mm; border-bottom: 1px solid #dee2e6; }
h3 { font-size: 8.5pt; margin: 2mm 0 1mm; } p { margin: 1mm 0; }
h1, h2, h3 { bookmark-level: none; }
.muted, .text-muted { color: #6c757d; } .small { font-size: 8pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; } th, td { text-align: left; padding: .5mm 1mm; border-bottom: 1px solid #e9ecef; vertical-align: middle; }
thead tr:first-child > th:first-child, tbody:first-child tr:first-child > th:first-child { width: 40%; }
.text-end { text-align: right; }
.row { display: block; break-inside: avoid; } .row::after { content: ""; display: block; clear: both; }
.row > .col { float: left; width: 48.5%; } .row > .col + .col { float: right; }
.d-flex { display: table; width: 100%; } .d-flex > div, .d-flex > table { display: table-cell; vertical-align: top; }
.d-flex > div { width: 60mm; padding-right: 3mm; }
.badge { padding: 0 1.5mm; border-radius: 1mm; background: #e9ecef; }
.health-on_track { background:#d1e7dd; } .health-at_risk { background:#fff3cd; } .health-off_track { background:#f8d7da; }
.status-dot { display:inline-block; width:2.5mm; height:2.5mm; border-radius:50%; }
.status-green { background:#198754; } .status-amber { background:#ffc107; } .status-red { background:#dc3545; } .status-grey { background:#adb5bd; }
a { color: inherit; text-decoration: none; } .no-print { display: none; }
.badge { white-space: nowrap; }
.text-danger { color: #b02a37; font-weight: bold; } .text-warning-emphasis { color: #997404; font-weight: bold; }
.level-low { background:#d1e7dd; } .level-medium { background:#fff3cd; } .level-high { background:#ffd8a8; } .level-critical { background:#f8d7da; }
"""


@functools.cache
def _stylesheet():
    """Parsed once per process (weasyprint's CSS objects are reusable across documents)."""
    from weasyprint import CSS

    return CSS(string=PDF_CSS)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    # "Step 5 - Creating layout" and the like, on import too: noise in the logs.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    # Imported here: weasyprint parses its own stylesheets on import (slow).
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[_stylesheet()])
