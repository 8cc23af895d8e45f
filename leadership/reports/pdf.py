"""HTML to PDF with weasyprint. The report's print styles live here (the PDF is never served as a
page, so the CSP does not apply to it); pages use Bootstrap and portal.css instead."""

PDF_CSS = """
@page { size: A4 landscape; margin: 10mm 10mm 12mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #6c757d; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #212529; }
h1 { font-size: 14pt; margin: 0 0 1mm; } h2 { font-size: 10pt; margin: 3mm 0 1.5mm; border-bottom: 1px solid #dee2e6; }
h3 { font-size: 8.5pt; margin: 2mm 0 1mm; } p { margin: 1mm 0; }
.muted, .text-muted { color: #6c757d; } .small { font-size: 8pt; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .5mm 1mm; border-bottom: 1px solid #e9ecef; vertical-align: middle; }
.text-end { text-align: right; } .row { display: flex; gap: 6mm; } .col { flex: 1; min-width: 0; }
.d-flex { display: flex; gap: 3mm; align-items: flex-start; } .d-flex table { flex: 1; }
.badge { padding: 0 1.5mm; border-radius: 1mm; background: #e9ecef; }
.health-on_track { background:#d1e7dd; } .health-at_risk { background:#fff3cd; } .health-off_track { background:#f8d7da; }
.status-dot { display:inline-block; width:2.5mm; height:2.5mm; border-radius:50%; }
.status-green { background:#198754; } .status-amber { background:#ffc107; } .status-red { background:#dc3545; } .status-grey { background:#adb5bd; }
a { color: inherit; text-decoration: none; } .no-print { display: none; }
.badge { white-space: nowrap; }
.text-danger { color: #b02a37; font-weight: bold; } .text-warning-emphasis { color: #997404; font-weight: bold; }
.level-low { background:#d1e7dd; } .level-medium { background:#fff3cd; } .level-high { background:#ffd8a8; } .level-critical { background:#f8d7da; }
"""


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    # Imported here: weasyprint parses its own stylesheets on import (slow, and it logs each step).
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=PDF_CSS)])
