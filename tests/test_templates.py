"""Template hygiene: Django's `{# #}` comments end at the line's end, so a comment spanning lines
is printed on the page (an include's header comment showed up under every list)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_no_template_has_a_comment_that_spans_lines():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            start = line.rfind("{#")
            if start != -1 and "#}" not in line[start:]:
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offenders == [], "use {% comment %} for comments over several lines: " + ", ".join(offenders)
