"""Server-built SVG charts for the report: they print, and weasyprint draws them into the PDF
(no JavaScript). Colours are presentation attributes, never `style`, so the strict CSP holds."""

from django.utils.html import format_html, format_html_join

LEVEL_FILL = {"low": "#d1e7dd", "medium": "#fff3cd", "high": "#ffd8a8", "critical": "#f8d7da"}
CELL, LABEL = 36, 22


def heat_map_text(heat_map: dict) -> str:
    """The numbers the map shows, in words (its text alternative): each cell that holds risks."""
    cells = [
        f"likelihood {cell.likelihood}, impact {cell.impact}: {cell.count} {cell.level_label.lower()}"
        for _, row in heat_map["rows"]
        for cell in row
        if cell.count
    ]
    total = sum(cell.count for _, row in heat_map["rows"] for cell in row)
    return f"{total} risk{'' if total == 1 else 's'}" + (f"; {'; '.join(cells)}" if cells else "")


def heat_map_svg(heat_map: dict) -> str:
    """A 5x5 heat map (rows likelihood 5..1, columns impact 1..5) with each cell's count and, for
    high and critical, the level's initial, so colour is never the only cue."""
    size = LABEL + 5 * CELL
    cells = []
    for row, (likelihood, row_cells) in enumerate(heat_map["rows"]):
        y = row * CELL
        cells.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                LABEL / 2,
                y + CELL / 2 + 4,
                likelihood,
            )
        )
        for column, cell in enumerate(row_cells):
            x = LABEL + column * CELL
            cells.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="2"/>'
                    '<text x="{}" y="{}" font-size="12" font-weight="{}" text-anchor="middle">{}</text>',
                    x,
                    y,
                    CELL,
                    CELL,
                    LEVEL_FILL.get(cell.level, "#eeeeee"),
                    x + CELL / 2,
                    y + CELL / 2 + 4,
                    "bold" if cell.count else "normal",
                    cell.count if cell.count else "·",
                )
            )
    axis = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
        ((LABEL + i * CELL + CELL / 2, 5 * CELL + 14, i + 1) for i in range(5)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="heat-svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="{title}: {numbers}">{cells}{axis}</svg>',
        w=size,
        h=5 * CELL + 20,
        title=heat_map["title"],
        numbers=heat_map_text(heat_map),
        cells=format_html_join("", "{}", ((c,) for c in cells)),
        axis=axis,
    )
