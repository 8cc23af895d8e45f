"""Demo portfolio for `make run`: a dozen initiatives across stages and partner functions, 30 KPIs
with a year of measurements (weekly, or daily for the operational ones), milestones.

Records are written directly (the demo sets up a believable past, not a sequence of user actions),
but consistent with the rules: keys from the primary key, dates in order, and every initiative in
pilot or production has a KPI with a target (this app's gate check).
"""

import math
import random
from datetime import date, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from vpportal.core.measures import DEFAULT_PRECISION

from .models import KPI, Initiative, KPIMeasurement, Milestone
from .services.portfolio import KEY_FORMAT

# short name, title, stage, health, priority, owner, sponsor, partner functions, tags, months ago started, months to go
# fmt: off
INITIATIVES = [
    ("churn", "Customer churn prediction", "production", "on_track", 1, "director", "vp", ["product", "finance"], ["retention", "classification"], 18, 2),
    ("support-assistant", "GenAI support assistant", "pilot", "at_risk", 1, "Claude Shannon", "vp", ["product", "legal", "compliance"], ["genai", "llm", "customer-service"], 9, 4),
    ("invoice-anomaly", "Invoice anomaly detection", "production", "on_track", 2, "John von Neumann", "vp", ["finance", "risk"], ["anomaly-detection", "finance-ops"], 20, 1),
    ("demand-forecast", "Demand forecasting for supply planning", "pilot", "on_track", 2, "director", "vp", ["finance", "technology"], ["forecasting"], 11, 5),
    ("contract-review", "Contract clause review with LLMs", "poc", "at_risk", 2, "Claude Shannon", "vp", ["legal"], ["genai", "llm", "legal-ops"], 4, 6),
    ("pricing", "Dynamic pricing recommendations", "poc", "off_track", 3, "John von Neumann", "director", ["finance", "product"], ["pricing", "recommendation"], 5, 7),
    ("fraud-graph", "Graph-based fraud detection", "discovery", "on_track", 2, "Hedy Lamarr", "vp", ["risk", "compliance"], ["fraud", "graph"], 2, 10),
    ("doc-search", "Internal knowledge search (RAG)", "discovery", "on_track", 3, "Lynn Conway", "director", ["technology"], ["genai", "rag"], 1, 8),
    ("cv-quality", "Visual quality inspection", "idea", "on_track", 4, "engineer", "director", ["technology", "product"], ["computer-vision"], 0, 12),
    ("hr-attrition", "Employee attrition early warning", "idea", "at_risk", 4, "scientist", "director", ["legal", "compliance"], ["people-analytics"], 0, 12),
    ("marketing-mix", "Marketing mix modelling", "retired", "off_track", 3, "John von Neumann", "vp", ["finance", "product"], ["marketing"], 24, -6),
    ("code-assistant", "Developer code assistant rollout", "pilot", "on_track", 2, "Lynn Conway", "vp", ["technology", "legal"], ["genai", "developer-productivity"], 7, 3),
]

# short name, initiative, name, unit, direction, baseline, target, warning, cadence, start value, end value, noise
KPIS = [
    ("churn-rate", "churn", "Monthly churn rate", "%", "lower_is_better", 4.2, 3.0, 3.5, "weekly", 4.3, 2.9, 0.12),
    ("churn-saved", "churn", "Revenue retained by outreach", "k EUR", "higher_is_better", 0, 400, 300, "weekly", 50, 430, 25),
    ("churn-auc", "churn", "Model AUC", "", "higher_is_better", 0.70, 0.85, 0.80, "weekly", 0.78, 0.86, 0.01),
    ("support-deflection", "support-assistant", "Ticket deflection rate", "%", "higher_is_better", 0, 30, 20, "daily", 5, 24, 2.5),
    ("support-csat", "support-assistant", "Assistant CSAT", "/5", "higher_is_better", 3.8, 4.3, 4.0, "weekly", 3.9, 4.1, 0.08),
    ("support-hallucination", "support-assistant", "Hallucination rate (sampled)", "%", "lower_is_better", 8, 2, 4, "weekly", 9, 4.6, 0.5),
    ("support-latency", "support-assistant", "Answer latency p95", "s", "lower_is_better", 9, 4, 6, "daily", 10, 5.2, 0.6),
    ("invoice-precision", "invoice-anomaly", "Precision of flagged invoices", "%", "higher_is_better", 40, 80, 70, "weekly", 55, 83, 2),
    ("invoice-savings", "invoice-anomaly", "Duplicate payments avoided", "k EUR", "higher_is_better", 0, 250, 180, "weekly", 20, 265, 15),
    ("invoice-review-time", "invoice-anomaly", "Analyst review time per flag", "min", "lower_is_better", 25, 10, 15, "weekly", 24, 9.5, 1),
    ("forecast-mape", "demand-forecast", "Forecast MAPE (8-week horizon)", "%", "lower_is_better", 22, 12, 15, "weekly", 21, 13.5, 0.8),
    ("forecast-stockouts", "demand-forecast", "Stock-outs per month", "", "lower_is_better", 40, 20, 28, "weekly", 42, 24, 3),
    ("forecast-inventory", "demand-forecast", "Inventory carrying cost", "M EUR", "lower_is_better", 12, 10, 11, "weekly", 12.2, 10.6, 0.2),
    ("contract-recall", "contract-review", "Clause extraction recall", "%", "higher_is_better", 0, 95, 90, "weekly", 70, 88, 2),
    ("contract-hours", "contract-review", "Lawyer hours saved per month", "h", "higher_is_better", 0, 120, 80, "weekly", 5, 60, 8),
    ("pricing-margin", "pricing", "Gross margin uplift", "pp", "higher_is_better", 0, 1.5, 0.8, "weekly", 0.1, 0.5, 0.15),
    ("pricing-acceptance", "pricing", "Recommendation acceptance", "%", "higher_is_better", 0, 60, 45, "weekly", 20, 38, 4),
    ("fraud-detection", "fraud-graph", "Fraud rings detected (offline)", "", "higher_is_better", 0, 10, 6, "weekly", 0, 7, 1),
    ("doc-search-success", "doc-search", "Search success rate", "%", "higher_is_better", 45, 75, 65, "weekly", 46, 58, 3),
    ("code-acceptance", "code-assistant", "Suggestion acceptance rate", "%", "higher_is_better", 0, 30, 22, "daily", 18, 31, 2),
    ("code-adoption", "code-assistant", "Weekly active developers", "%", "higher_is_better", 0, 70, 50, "weekly", 10, 64, 3),
    ("code-incidents", "code-assistant", "Incidents linked to generated code", "", "lower_is_better", 0, 1, 3, "weekly", 2, 1, 0.8),
    ("mmm-roi", "marketing-mix", "Marketing ROI explained", "%", "higher_is_better", 0, 70, 55, "monthly", 30, 48, 4),
    ("org-literacy", None, "Staff with AI-literacy training", "%", "higher_is_better", 5, 80, 60, "monthly", 8, 66, 2),
    ("org-time-to-prod", None, "Median weeks from PoC to production", "weeks", "lower_is_better", 40, 20, 28, "monthly", 38, 26, 1.5),
    ("org-models-monitored", None, "Production models with drift monitoring", "%", "higher_is_better", 20, 100, 80, "monthly", 25, 92, 3),
    ("org-gpu-cost", None, "GPU spend per month", "k EUR", "lower_is_better", 180, 150, 170, "weekly", 160, 176, 6),
    ("org-value", None, "Value delivered by AI (annualised)", "M EUR", "higher_is_better", 0, 12, 8, "quarterly", 1, 9.5, 0.3),
    ("org-incidents", None, "AI incidents reported", "", "lower_is_better", 6, 2, 4, "monthly", 7, 2, 1),
    ("org-feature-reuse", None, "Feature store reuse rate", "%", "higher_is_better", 10, 50, 35, "weekly", 12, 41, 2),
]
# Decimal places shown where the default (2) reads wrong: counts are whole, a model score needs 3.
PRECISIONS = {
    "churn-auc": 3,
    "churn-saved": 0,
    "invoice-savings": 0,
    "forecast-stockouts": 0,
    "fraud-detection": 0,
    "code-incidents": 0,
    "org-incidents": 0,
    "org-time-to-prod": 1,
    "support-csat": 1,
}
# Stopped reporting four months ago: shows a grey (stale) KPI.
STALE_KPIS = {"mmm-roi"}

# initiative, title, days from today (negative = past), status
MILESTONES = [
    ("churn", "Retention campaign integration", -300, "done"),
    ("churn", "Quarterly model refresh", 20, "planned"),
    ("support-assistant", "Red-team evaluation", -40, "done"),
    ("support-assistant", "Expand pilot to second market", 35, "in_progress"),
    ("invoice-anomaly", "ERP write-back", -200, "done"),
    ("demand-forecast", "Pilot in two distribution centres", -60, "done"),
    ("demand-forecast", "Planner feedback loop", 45, "in_progress"),
    ("contract-review", "Legal sign-off on evaluation set", 15, "planned"),
    ("pricing", "Price elasticity study", -10, "in_progress"),
    ("fraud-graph", "Data access agreement", 30, "planned"),
    ("doc-search", "Source inventory", 25, "planned"),
    ("code-assistant", "Secure coding guideline", -20, "done"),
]
# fmt: on


def _person(ctx, name):
    people = ctx["people"]
    return people[name]


def _series(rng, start, end, noise, n):
    """A believable path from `start` to `end`: a learning curve with noise and a little seasonality."""
    values = []
    for i in range(n):
        progress = 1 - math.exp(-3 * i / max(n - 1, 1))
        seasonal = math.sin(i / max(n, 1) * 4 * math.pi) * noise * 0.5
        values.append(round(start + (end - start) * progress / (1 - math.exp(-3)) + seasonal + rng.gauss(0, noise), 4))
    return values


def create(ctx):
    admin = ctx["admin"]
    rng = random.Random(7)
    today = date.today()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    initiatives, kpis = {}, {}
    for short, title, stage, health, priority, owner, sponsor, partners, tags, started, to_go in INITIATIVES:
        initiative = Initiative(
            title=title,
            summary=f"{title}: from data to a measurable business outcome.",
            business_objective="Grow revenue and lower the cost to serve with AI where it pays off.",
            value_hypothesis="If the model is good enough and adopted, the KPIs below move by the target amount.",
            stage=stage,
            health=health,
            priority=priority,
            owner=_person(ctx, owner),
            executive_sponsor=_person(ctx, sponsor),
            partner_functions=partners,
            tags=tags,
            start_date=today - timedelta(days=30 * started),
            target_date=today + timedelta(days=30 * to_go) if to_go >= 0 else today - timedelta(days=30 * -to_go),
            budget=rng.choice([80_000, 150_000, 250_000, 400_000, 750_000]),
            currency="EUR",
            stage_changed_at=timezone.now() - timedelta(days=rng.randint(5, 120)),
            created_by=admin,
            updated_by=admin,
        )
        if initiative.target_date < initiative.start_date:
            initiative.target_date = initiative.start_date
        initiative._history_user = admin
        initiative.save()
        initiative.key = KEY_FORMAT.format(initiative.pk)
        Initiative.objects.filter(pk=initiative.pk).update(key=initiative.key)
        initiative.history.filter(history_type="+").update(key=initiative.key)
        initiatives[short] = initiative

    owners = list(ctx["people"].values())
    points = []
    for short, ini, name, unit, direction, baseline, target, warning, cadence, start, end, noise in KPIS:
        kpi = KPI(
            initiative=initiatives.get(ini) if ini else None,
            name=name,
            description=f"{name}, reported {cadence}.",
            unit=unit,
            direction=direction,
            baseline=baseline,
            target=target,
            warning_threshold=warning,
            cadence=cadence,
            precision=PRECISIONS.get(short, DEFAULT_PRECISION),
            owner=rng.choice(owners),
            created_by=admin,
            updated_by=admin,
        )
        kpi._history_user = admin
        kpi.save()
        kpis[short] = kpi
        step = {"daily": 1, "weekly": 7, "monthly": 30, "quarterly": 91}[cadence]
        count = 365 // step
        offset = timedelta(days=120) if short in STALE_KPIS else timedelta(0)
        for i, value in enumerate(_series(rng, start, end, noise, count)):
            observed = now - offset - timedelta(days=step * (count - 1 - i), hours=rng.randint(0, 3))
            points.append(
                KPIMeasurement(
                    kpi=kpi, observed_at=observed, value=value, source="demo", created_by=admin, updated_by=admin
                )
            )
    bulk_create_with_history(points, KPIMeasurement, batch_size=1000, default_user=admin)

    for ini, title, days, status in MILESTONES:
        due = today + timedelta(days=days)
        milestone = Milestone(
            initiative=initiatives[ini],
            title=title,
            due_date=due,
            done_date=due if status == "done" else None,
            status=status,
            created_by=admin,
            updated_by=admin,
        )
        milestone._history_user = admin
        milestone.save()
    ctx["initiatives"] = initiatives
    ctx["kpis"] = kpis
