"""Seeding steps of governance for `manage.py seed` (leadership's command): AI systems and
risks at scale, for benchmarks and load tests.

    manage.py seed --ai-systems 200 --risks 10000

Rows are bulk-inserted in batches with their history rows (like the portfolio's steps); keys are set
from the primary keys afterwards, as `risk_create` does one by one.
"""

from simple_history.utils import bulk_create_with_history

from initiatives.seed_portfolio import Progress, SeedStep, batches, insert_keyed

from .choices import EUAIActTier, Lifecycle, RiskCategory, RiskStatus, SystemKind
from .models import AISystem, Risk
from .services.risks import KEY_FORMAT


def seed_ai_systems(ctx, count):
    rng, people, initiatives = ctx["rng"], ctx["people"], ctx.get("initiatives") or [None]
    created = []
    progress = Progress(ctx["stdout"], "AI systems", count)
    for start, size in batches(count, ctx["batch_size"]):
        batch = [
            AISystem(
                name=f"Seeded system {ctx['stamp']}-{start + i}",
                purpose="Synthetic AI system for load tests.",
                initiative=rng.choice(initiatives),
                owner=rng.choice(people) if people else None,
                kind=rng.choice(SystemKind.values),
                lifecycle_status=rng.choice(Lifecycle.values),
                eu_ai_act_tier=rng.choice(EUAIActTier.values),
                created_by=ctx["user"],
                updated_by=ctx["user"],
            )
            for i in range(size)
        ]
        created += bulk_create_with_history(batch, AISystem, batch_size=size, default_user=ctx["user"])
        progress.advance(size)
    progress.finish()
    ctx["ai_systems"] = created


def seed_risks(ctx, count):
    rng, people = ctx["rng"], ctx["people"]
    systems = ctx.get("ai_systems") or list(AISystem.objects.order_by("pk")[:500])
    initiatives = ctx.get("initiatives") or []
    if not systems and not initiatives:
        raise SystemExit("Seeding risks needs AI systems or initiatives: pass --ai-systems N or --initiatives N.")
    # Accepted risks need an acceptor and a justification; the seed keeps to the open statuses.
    statuses = [s for s in RiskStatus.values if s != RiskStatus.ACCEPTED]
    progress = Progress(ctx["stdout"], "risks", count)
    for start, size in batches(count, ctx["batch_size"]):
        batch = []
        for i in range(size):
            system = rng.choice(systems) if systems else None
            residual = rng.random() < 0.5
            batch.append(
                Risk(
                    title=f"Seeded risk {ctx['stamp']}-{start + i}",
                    description="Synthetic risk for load tests.",
                    category=rng.choice(RiskCategory.values),
                    ai_system=system,
                    initiative=rng.choice(initiatives)
                    if initiatives and (system is None or rng.random() < 0.5)
                    else None,
                    owner=rng.choice(people) if people else None,
                    likelihood=rng.randint(1, 5),
                    impact=rng.randint(1, 5),
                    residual_likelihood=rng.randint(1, 3) if residual else None,
                    residual_impact=rng.randint(1, 3) if residual else None,
                    status=rng.choice(statuses),
                    created_by=ctx["user"],
                    updated_by=ctx["user"],
                )
            )
        insert_keyed(Risk, batch, KEY_FORMAT, ctx, size)
        progress.advance(size)
    progress.finish()


STEPS = [
    SeedStep("ai_systems", "--ai-systems", 20, "AI systems to create (risks concern them).", seed_ai_systems),
    SeedStep("risks", "--risks", 100, "Risks to create, over the seeded AI systems and initiatives.", seed_risks),
]
