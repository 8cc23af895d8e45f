"""Seeding steps of the portfolio for `manage.py seed` (leadership's command): people, initiatives,
KPIs and measurements at scale, for benchmarks; and the seeding step itself (SeedStep, Progress,
batches) that other areas' steps use.

    manage.py seed --initiatives 1000 --kpis 2000 --measurements-per-kpi 1000 --people 200

Each kind of record is a seeding step (STEPS); steps run in order and share `ctx` (what earlier
steps created).

Rows are written in batches (bulk_create; measurements with executemany on a raw INSERT, the only
way to write millions of rows in minutes on both SQLite and PostgreSQL). Initiatives and KPIs get
history rows; seeded measurements do not (synthetic points, and history would double the volume).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from initiatives.choices import Cadence, Direction, Health, Stage
from initiatives.models import KPI, Initiative, KPIMeasurement
from initiatives.services.portfolio import KEY_FORMAT
from vpportal.people.choices import CareerLevel, Function
from vpportal.people.models import Person


@dataclass
class SeedStep:
    """`option` is the command-line option giving the count (e.g. "--risks"); `run(ctx, count)`."""

    name: str
    option: str
    default: int
    help: str
    run: Callable


class Progress:
    """A plain-text progress bar on stdout (one line, redrawn), usable without a terminal."""

    def __init__(self, stdout, label: str, total: int, width: int = 30):
        self.stdout, self.label, self.total, self.width = stdout, label, max(total, 1), width
        self.done, self.started, self.last_draw = 0, time.monotonic(), 0.0

    def advance(self, n: int):
        self.done += n
        now = time.monotonic()
        if now - self.last_draw >= 0.2 or self.done >= self.total:
            self.last_draw = now
            filled = int(self.width * self.done / self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            rate = self.done / max(now - self.started, 1e-6)
            self.stdout.write(
                f"\r  {self.label:<13} [{bar}] {self.done:>10,}/{self.total:,} ({rate:,.0f}/s)", ending=""
            )
            self.stdout.flush()

    def finish(self):
        self.stdout.write(f"  {time.monotonic() - self.started:.1f}s")


def batches(total: int, size: int):
    for start in range(0, total, size):
        yield start, min(size, total - start)


def insert_keyed(model, batch, key_format, ctx, size):
    """Insert a batch, give each row its key from its primary key (as the create services do one
    by one) and one history row each."""
    saved = model.objects.bulk_create(batch, batch_size=size)
    for row in saved:
        row.key = key_format.format(row.pk)
    model.objects.bulk_update(saved, ["key"], batch_size=500)
    model.history.bulk_history_create(saved, default_user=ctx["user"])
    return saved


def with_history(model, ctx):
    """The plain insert of a batch of `model`, with one history row each."""
    return lambda batch: bulk_create_with_history(batch, model, batch_size=len(batch), default_user=ctx["user"])


def keyed(model, key_format, ctx):
    """The insert of a batch of a model with keys (insert_keyed)."""
    return lambda batch: insert_keyed(model, batch, key_format, ctx, len(batch))


def seed_rows(ctx, label: str, count: int, build: Callable, insert: Callable) -> list:
    """`count` new rows in batches of ctx["batch_size"], with a progress bar under `label`:
    `build(n)` makes the n-th row of this run (unsaved), stamped here as the seeding user's;
    `insert(batch)` writes a batch and answers the saved rows (with_history, keyed)."""
    created = []
    progress = Progress(ctx["stdout"], label, count)
    for start, size in batches(count, ctx["batch_size"]):
        batch = [build(start + i) for i in range(size)]
        for row in batch:
            row.created_by = row.updated_by = ctx["user"]
        created += insert(batch)
        progress.advance(size)
    progress.finish()
    return created


# --- steps -----------------------------------------------------------------------------------------
def seed_people(ctx, count):
    rng, stamp = ctx["rng"], ctx["stamp"]
    functions, levels = Function.values, CareerLevel.values

    def build(n):
        return Person(
            name=f"Seed Person {stamp}-{n}",
            email=f"seed-{stamp}-{n}@example.com",
            title="Data Scientist",
            function=rng.choice(functions),
            career_level=rng.choice(levels),
        )

    created = seed_rows(ctx, "people", count, build, with_history(Person, ctx))
    ctx["people"] = created or list(Person.objects.all()[:500])


def seed_initiatives(ctx, count):
    rng, people, today = ctx["rng"], ctx["people"], timezone.localdate()
    if not people:
        raise SystemExit("Seeding initiatives needs people: pass --people N.")
    stages, healths, partner_choices = Stage.values, Health.values, Function.values

    def build(n):
        begin = today - timedelta(days=rng.randint(0, 900))
        return Initiative(
            title=f"Seeded initiative {ctx['stamp']}-{n}",
            summary="Synthetic initiative for load tests.",
            stage=rng.choice(stages),
            health=rng.choice(healths),
            priority=rng.randint(1, 4),
            owner=rng.choice(people),
            executive_sponsor=rng.choice(people),
            partner_functions=sorted(rng.sample(partner_choices, rng.randint(0, 3))),
            tags=rng.sample(["genai", "llm", "forecasting", "vision", "nlp", "fraud", "ops"], 2),
            start_date=begin,
            target_date=begin + timedelta(days=rng.randint(30, 720)),
            budget=rng.randint(10, 2000) * 1000,
        )

    ctx["initiatives"] = seed_rows(ctx, "initiatives", count, build, keyed(Initiative, KEY_FORMAT, ctx))


def seed_kpis(ctx, count):
    rng, initiatives, people = ctx["rng"], ctx.get("initiatives") or [None], ctx["people"]

    def build(n):
        direction = rng.choice(Direction.values)
        target = rng.randint(30, 80)  # a percent: baseline and threshold stay within 0-100
        warning = target - 10 if direction == Direction.HIGHER_IS_BETTER else target + 10
        return KPI(
            initiative=rng.choice(initiatives) if rng.random() > 0.05 else None,
            name=f"Seeded KPI {ctx['stamp']}-{n}",
            unit="%",
            direction=direction,
            baseline=target - 20 if direction == Direction.HIGHER_IS_BETTER else target + 20,
            target=target,
            warning_threshold=warning,
            cadence=rng.choice([Cadence.DAILY, Cadence.WEEKLY, Cadence.WEEKLY, Cadence.MONTHLY]),
            owner=rng.choice(people),
        )

    ctx["kpis"] = seed_rows(ctx, "KPIs", count, build, with_history(KPI, ctx))


def seed_measurements(ctx, per_kpi):
    """`per_kpi` points per seeded KPI, hourly back from now, written with executemany in batches."""
    kpis = ctx.get("kpis") or []
    if not kpis or not per_kpi:
        return
    rng, ops = ctx["rng"], connection.ops
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    # Every KPI shares the same schedule, so each timestamp is adapted for the database once.
    moments = [ops.adapt_datetimefield_value(now - timedelta(hours=h)) for h in range(per_kpi)]
    created_at = ops.adapt_datetimefield_value(timezone.now())
    user_id = ctx["user"].pk if ctx["user"] else None
    table = KPIMeasurement._meta.db_table
    columns = ("created_at", "updated_at", "created_by_id", "updated_by_id", "version")
    columns += ("kpi_id", "observed_at", "value", "source", "note")
    quote = ops.quote_name
    sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    progress = Progress(ctx["stdout"], "measurements", len(kpis) * per_kpi)
    if connection.vendor == "postgresql":
        # COPY is ~30x faster than executemany on PostgreSQL: 2 million points in well under a minute.
        copy_sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for kpi in kpis:
                level = float(kpi.target)
                for moment in moments:
                    level += rng.gauss(0, 1.5)
                    copy.write_row(
                        (created_at, created_at, user_id, user_id, 1, kpi.pk, moment, round(level, 3), "seed", "")
                    )
                progress.advance(per_kpi)
        progress.finish()
        return
    rows = []
    with connection.cursor() as cursor:
        for kpi in kpis:
            level = float(kpi.target)
            for moment in moments:
                level += rng.gauss(0, 1.5)
                rows.append((created_at, created_at, user_id, user_id, 1, kpi.pk, moment, round(level, 3), "seed", ""))
            if len(rows) >= ctx["batch_size"] * 5:
                cursor.executemany(sql, rows)
                progress.advance(len(rows))
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            progress.advance(len(rows))
    progress.finish()


STEPS: list[SeedStep] = [
    SeedStep("people", "--people", 50, "People to create (owners, sponsors).", seed_people),
    SeedStep("initiatives", "--initiatives", 100, "Initiatives to create.", seed_initiatives),
    SeedStep("kpis", "--kpis", 200, "KPIs to create, spread over the seeded initiatives.", seed_kpis),
    SeedStep("measurements", "--measurements-per-kpi", 100, "Measurements per seeded KPI (hourly).", seed_measurements),
]
