"""(g) The executive report's PDF (weasyprint) against the HTML page of the same report, both through
the full stack: `/report/pdf/` vs `/report/`.

Two figures, as for the dashboard (benchmarks/dashboard.py): as a reader gets them between writes
(the PDF, like the dashboard it is built from, is reused while no tracked record changed), and
computed from scratch, the cache cleared before every call of either (what the first reader pays
after a write). The issue's absolute figure (at most 1.5 s on the demo data) is in the detail; the
page's button renders the PDF in the background (leadership/reports/jobs.py) whatever it costs.
"""

import statistics
import time

from django.core.cache import cache
from django.test import Client

from .lists import _get
from .timing import Result, compare, ms

PDF_TARGET = 3.0
# Computed: weasyprint lays out and embeds a font whatever the data (about 0.4 s of CPU for the two
# pages), while the page's own work is a few template includes: reported against the same 3.
COMPUTED_TARGET = 3.0
ISSUE_SECONDS = 1.5


def _pdf(client: Client):
    get = _get(client, "/report/pdf/")

    def call():
        response = get()
        if not response.content.startswith(b"%PDF-"):
            raise SystemExit("GET /report/pdf/ answered no PDF")
        return response

    return call


def _computed(call):
    def fresh():
        cache.clear()
        call()

    return fresh


def _cpu_seconds(call, repeat: int) -> float:
    """Median CPU seconds of this process per call: on a loaded machine the wall time also counts
    the waits for a core, which the issue's absolute bound did not mean."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        call()
        times.append(time.process_time() - started)
    return statistics.median(times)


def report(ctx, scale, client: Client) -> list[Result]:
    pdf, page = _pdf(client), _get(client, "/report/")
    reused, html = compare(pdf, page, repeat=scale.repeat, warmup=scale.warmup)
    results = [
        Result(
            "g.page.report_pdf_vs_page",
            reused / html,
            PDF_TARGET,
            enforced=scale.enforce,
            detail=f"{ms(reused)} vs {ms(html)}; reused between writes",
        )
    ]
    computed, html = compare(_computed(pdf), _computed(page), repeat=scale.repeat, warmup=scale.warmup)
    cpu = _cpu_seconds(_computed(pdf), scale.repeat)
    results.append(
        Result(
            "g.page.report_pdf_computed_vs_page_computed",
            computed / html,
            COMPUTED_TARGET,
            enforced=False,
            detail=f"{ms(computed)} vs {ms(html)}, computed on every call; the PDF's CPU {ms(cpu)}, the issue's "
            f"bound {ISSUE_SECONDS:g} s " + ("met" if computed <= ISSUE_SECONDS else "missed") + " in wall time",
        )
    )
    return results
