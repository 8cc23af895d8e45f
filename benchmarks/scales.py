"""Dataset sizes and repetitions: `full` is the issue's dataset, `ci` the same code at a small size."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    initiatives: int
    ai_systems: int
    risks: int
    kpis: int
    measurements_per_kpi: int
    minute_points: int  # the year of minute-level data of one KPI (e)
    large_kpi_points: int  # the KPI whose measurement list is compared with a 1,000-point one (b)
    grown_rows: int  # table size the lists are grown to in (b)
    list_small_rows: int  # ... and the size they are compared at (at most the seeded size)
    events: int  # rows of the change feed (a)
    repeat: int
    warmup: int
    enforce: bool  # ratio targets fail the run (full) or are only reported (ci: noise at tiny scale)


FULL = Scale(
    name="full",
    people=500,
    initiatives=1_000,
    ai_systems=200,
    risks=10_000,
    kpis=2_000,
    measurements_per_kpi=1_000,
    minute_points=525_600,
    large_kpi_points=100_000,
    grown_rows=100_000,
    list_small_rows=1_000,
    events=1_000_000,
    repeat=25,
    warmup=5,
    enforce=True,
)

CI = Scale(
    name="ci",
    people=30,
    initiatives=60,
    ai_systems=10,
    risks=300,
    kpis=40,
    measurements_per_kpi=1_000,
    minute_points=20_000,
    large_kpi_points=10_000,
    grown_rows=3_000,
    list_small_rows=1_000,
    events=20_000,
    repeat=7,
    warmup=2,
    enforce=False,
)

SCALES = {s.name: s for s in (FULL, CI)}
