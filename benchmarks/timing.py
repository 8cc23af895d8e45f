"""Medians of alternating runs, and the result lines `name: ratio (target)`."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    value: float
    target: float
    higher_is_better: bool = False  # ratios are "at most target" unless said otherwise
    enforced: bool = True
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        verdict = "ok" if self.met else ("MISSED" if self.enforced else "missed, reported only")
        value = f"{self.value:.0f}" if self.value >= 10 and self.value == int(self.value) else f"{self.value:.2f}"
        extra = f"  [{self.detail}]" if self.detail else ""
        return f"{self.name}: {value} ({sign} {self.target:g}, {verdict}){extra}"


def compare(subject, baseline, *, repeat: int, warmup: int) -> tuple[float, float]:
    """Median seconds of `subject()` and `baseline()`, called alternately after a warm-up so that
    drift (caches, other load on the machine) hits both alike."""
    for _ in range(warmup):
        subject()
        baseline()
    subject_times, baseline_times = [], []
    for _ in range(repeat):
        for fn, times in ((subject, subject_times), (baseline, baseline_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(subject_times), statistics.median(baseline_times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed_ratio(name, subject, baseline, target: float, scale, *, note: str = "", enforced=None) -> Result:
    """`subject()` against `baseline()` (compared at the scale's repeat and warm-up) as a Result: the
    ratio of their medians against `target`, enforced as the scale says unless `enforced` is given;
    its detail names both times, then `note`."""
    subject_s, baseline_s = compare(subject, baseline, repeat=scale.repeat, warmup=scale.warmup)
    detail = f"{ms(subject_s)} vs {ms(baseline_s)}" + (f", {note}" if note else "")
    enforced = scale.enforce if enforced is None else enforced
    return Result(name, subject_s / baseline_s, target, enforced=enforced, detail=detail)
