"""Seeding steps of governance for `manage.py seed` (leadership's command): AI systems and
risks at scale, for benchmarks and load tests.

    manage.py seed --ai-systems 200 --risks 10000

Rows are bulk-inserted in batches with their history rows (like the portfolio's steps); keys are set
from the primary keys afterwards, as `risk_create` does one by one.
"""

from initiatives.seed_portfolio import SeedStep, keyed, seed_rows, with_history

from .choices import EUAIActTier, Lifecycle, RiskCategory, RiskStatus, SystemKind
from .models import AISystem, Risk
from .services.risks import KEY_FORMAT


def seed_ai_systems(ctx, count):
    rng, people, initiatives = ctx["rng"], ctx["people"], ctx.get("initiatives") or [None]

    def build(n):
        return AISystem(
            name=f"Seeded system {ctx['stamp']}-{n}",
            purpose="Synthetic AI system for load tests.",
            initiative=rng.choice(initiatives),
            owner=rng.choice(people) if people else None,
            kind=rng.choice(SystemKind.values),
            lifecycle_status=rng.choice(Lifecycle.values),
            eu_ai_act_tier=rng.choice(EUAIActTier.values),
        )

    ctx["ai_systems"] = seed_rows(ctx, "AI systems", count, build, with_history(AISystem, ctx))


def seed_risks(ctx, count):
    rng, people = ctx["rng"], ctx["people"]
    systems = ctx.get("ai_systems") or list(AISystem.objects.order_by("pk")[:500])
    initiatives = ctx.get("initiatives") or []
    if not systems and not initiatives:
        raise SystemExit("Seeding risks needs AI systems or initiatives: pass --ai-systems N or --initiatives N.")
    # Accepted risks need an acceptor and a justification; the seed keeps to the open statuses.
    statuses = [s for s in RiskStatus.values if s != RiskStatus.ACCEPTED]

    def build(n):
        system = rng.choice(systems) if systems else None
        residual = rng.random() < 0.5
        return Risk(
            title=f"Seeded risk {ctx['stamp']}-{n}",
            description="Synthetic risk for load tests.",
            category=rng.choice(RiskCategory.values),
            ai_system=system,
            initiative=rng.choice(initiatives) if initiatives and (system is None or rng.random() < 0.5) else None,
            owner=rng.choice(people) if people else None,
            likelihood=rng.randint(1, 5),
            impact=rng.randint(1, 5),
            residual_likelihood=rng.randint(1, 3) if residual else None,
            residual_impact=rng.randint(1, 3) if residual else None,
            status=rng.choice(statuses),
        )

    seed_rows(ctx, "risks", count, build, keyed(Risk, KEY_FORMAT, ctx))


STEPS = [
    SeedStep("ai_systems", "--ai-systems", 20, "AI systems to create (risks concern them).", seed_ai_systems),
    SeedStep("risks", "--risks", 100, "Risks to create, over the seeded AI systems and initiatives.", seed_risks),
]
