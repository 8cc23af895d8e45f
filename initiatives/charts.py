"""Chart data for portfolio pages: server-built SVG sparklines (no JavaScript, printable) and the
JSON the KPI trend chart (Chart.js, static/js/portfolio.js) reads from a json_script tag."""

import functools
from dataclasses import dataclass, field

from django.template.defaultfilters import pluralize
from django.utils import formats, timezone

from vpportal.core.measures import DEFAULT_PRECISION, format_measure

WIDTH, HEIGHT, PAD = 120, 32, 2


@dataclass
class Sparkline:
    points: str  # the SVG polyline's `points`
    target_y: float | None
    last_x: float = 0.0  # the latest point, marked with a dot (a single point draws no line)
    last_y: float = 0.0
    width: int = WIDTH
    height: int = HEIGHT
    # What `summary` says, written only when a page reads it (the API answers the points alone).
    values: list = field(default_factory=list, repr=False)
    target: object = None
    unit: str = ""
    precision: int = DEFAULT_PRECISION

    @property
    def summary(self) -> str:
        """The numbers the line shows, in words: the chart's text alternative."""
        return summary(self.values, target=self.target, unit=self.unit, precision=self.precision)


def summary(values: list, *, target=None, unit: str = "", precision: int = DEFAULT_PRECISION) -> str:
    """ "20 points: latest 15.50 %, lowest 10 %, highest 16 %; target 20 %", each number written
    as the KPI pages write it (its precision, then its unit)."""

    def number(value):
        return format_measure(value, unit, precision)

    count = len(values)
    text = f"{count} point{pluralize(count)}: latest {number(values[-1])}"
    if count > 1:
        text += f", lowest {number(min(values))}, highest {number(max(values))}"
    if target is not None:
        text += f"; target {number(target)}"
    return text


@functools.lru_cache(maxsize=64)
def _xs(count: int) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """The x of each of `count` points spread over the box, and as the SVG writes them (a dashboard
    draws a dozen lines of the same length)."""
    step = (WIDTH - 2 * PAD) / max(count - 1, 1)
    xs = tuple(round(PAD + i * step, 1) for i in range(count))
    return xs, tuple(f"{x}," for x in xs)


def sparkline(
    points, *, target=None, warning=None, unit: str = "", precision: int = DEFAULT_PRECISION
) -> Sparkline | None:
    """Scale (time, value) pairs into a small SVG box, keeping the target line inside the scale."""
    values = [float(value) for _, value in points]
    if not values:
        return None
    marks = [float(x) for x in (target, warning) if x is not None]
    low, high = min(values + marks), max(values + marks)
    spread = (high - low) or 1.0

    def y(value):
        return round(HEIGHT - PAD - (value - low) / spread * (HEIGHT - 2 * PAD), 1)

    xs, x_texts = _xs(len(values))
    # `{:.1f}` writes what `round(..., 1)` gives, without a float per point.
    top, inner = HEIGHT - PAD, HEIGHT - 2 * PAD
    coords = " ".join([f"{x}{top - (v - low) / spread * inner:.1f}" for x, v in zip(x_texts, values, strict=True)])
    target_y = y(float(target)) if target is not None else None
    return Sparkline(
        points=coords,
        target_y=target_y,
        last_x=xs[-1],
        last_y=y(values[-1]),
        values=[value for _, value in points],
        target=target,
        unit=unit,
        precision=precision,
    )


def kpi_chart_data(kpi, points, bucket: str) -> dict:
    """Labels, values and the reference lines of a KPI's trend chart, and its numbers in words (the
    canvas's text alternative, as the sparklines say them)."""
    fmt = "DATE_FORMAT" if bucket != "point" else "DATETIME_FORMAT"  # as the pages write them
    return {
        "labels": [
            formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, fmt)
            for moment, _ in points
        ],
        "values": [round(float(value), 6) for _, value in points],
        "target": float(kpi.target) if kpi.target is not None else None,
        "warning": float(kpi.warning_threshold) if kpi.warning_threshold is not None else None,
        "baseline": float(kpi.baseline) if kpi.baseline is not None else None,
        "unit": kpi.unit,
        "name": kpi.name,
        "bucket": bucket,
        "summary": (
            summary([value for _, value in points], target=kpi.target, unit=kpi.unit, precision=kpi.precision)
            if points
            else ""
        ),
    }
