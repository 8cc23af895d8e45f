"""Demo data for the AI system inventory, the risk register and mitigations (`make run`).

Runs after initiatives.demo_portfolio and governance.demo_policies (leadership/demo.py) and builds on
`ctx["initiatives"]`. Everything goes through the services, so history shows who did what. One pilot
initiative is left blocked from production by an open critical risk, so the stage gate has
something to say.
"""

from datetime import timedelta

from django.utils import timezone

from governance.models import Requirement
from governance.services.risks import aisystem_create, mitigation_create, risk_accept, risk_create, risk_update
from initiatives.choices import Stage
from initiatives.models import Initiative

# name, initiative keywords, kind, provider, lifecycle, tier, personal data, data categories, card fields
SYSTEMS = [
    (
        "Credit scoring classifier",
        ("credit", "loan", "lending", "underwriting"),
        "classifier",
        "in-house",
        "validation",
        "high",
        True,
        "Applicant income, bureau history, account transactions",
        {
            "purpose": "Estimates the probability of default of retail loan applicants.",
            "intended_use": "Decision support for credit officers on consumer loans up to EUR 50,000.",
            "out_of_scope_uses": "Fully automated rejection; business lending; employment decisions.",
            "known_limitations": "Thin-file applicants are scored with wide uncertainty; trained on 2019-2024 data.",
            "evaluation_summary": "AUC 0.81 on the 2024 hold-out; demographic parity gap 3.1 pts across age bands.",
        },
    ),
    (
        "Customer support assistant",
        ("support", "assistant", "service", "chat", "copilot"),
        "llm_application",
        "Vendor LLM (hosted GPT-4o) with in-house retrieval",
        "development",
        "limited",
        True,
        "Customer messages, order history",
        {
            "purpose": "Drafts answers to customer e-mails and chats from the help-centre knowledge base.",
            "intended_use": "Agents review and send the drafts; the assistant never replies on its own.",
            "out_of_scope_uses": "Legal, medical or financial advice; complaints handling.",
            "known_limitations": "May cite outdated articles; answers in English and German only.",
            "evaluation_summary": "Groundedness 92% on 400 labelled tickets; hallucination rate 4%.",
        },
    ),
    (
        "Demand forecaster",
        ("demand", "forecast", "inventory", "supply"),
        "forecaster",
        "in-house",
        "deployed",
        "minimal",
        False,
        "Sales history, promotions calendar, weather",
        {
            "purpose": "Forecasts weekly demand per store and product family for replenishment.",
            "intended_use": "Input to the replenishment planners' weekly order proposal.",
            "out_of_scope_uses": "Pricing decisions; forecasts beyond 12 weeks.",
            "known_limitations": "Degrades for new products without history and during supply shocks.",
            "evaluation_summary": "WAPE 18% (baseline 26%) over the last 26 weeks.",
        },
    ),
    (
        "Fraud alert scorer",
        ("fraud", "payment", "aml"),
        "classifier",
        "in-house",
        "deployed",
        "limited",
        True,
        "Card transactions, device fingerprints",
        {
            "purpose": "Ranks card transactions by fraud likelihood for the investigations queue.",
            "intended_use": "Prioritising analyst review; no automatic blocking.",
            "known_limitations": "New merchant categories are under-represented.",
        },
    ),
    (
        "Attrition early-warning model",
        ("attrition", "employee", "talent", "hiring"),
        "classifier",
        "Vendor (PeopleSignals)",
        "design",
        "unassessed",
        True,
        "HR records, engagement survey answers",
        {
            "purpose": "Flags employees at risk of leaving so managers can start a conversation (under evaluation).",
            "known_limitations": "Not yet assessed: employment uses are high risk under the EU AI Act (Annex III).",
        },
    ),
]

# system index, title, category, likelihood, impact, residual (l, i) or None, status, review in days, mitigations
# mitigation: (description, status, due in days, requirement codes)
RISKS = [
    (
        0,
        "Disparate approval rates across age groups",
        "bias_fairness",
        4,
        5,
        (2, 4),
        "mitigating",
        30,
        [
            ("Monthly fairness report by age band and gender", "verified", -60, ["MEASURE 2.11", "Art. 10"]),
            ("Reweighing of training data for thin-file applicants", "in_progress", 20, ["MAP 2.3"]),
        ],
    ),
    (
        0,
        "Applicants cannot understand a rejection",
        "explainability",
        3,
        4,
        (2, 3),
        "mitigating",
        -10,
        [("Reason codes from SHAP values in the decision letter", "implemented", -20, ["MEASURE 2.9", "Art. 13"])],
    ),
    (
        0,
        "Model relies on bureau data under a contract up for renewal",
        "third_party",
        2,
        3,
        None,
        "assessed",
        90,
        [],
    ),
    (
        1,
        "Assistant invents refund policies",
        "hallucination_accuracy",
        4,
        5,
        None,
        "identified",
        14,
        [
            ("Retrieval restricted to approved help-centre articles", "in_progress", 10, ["MEASURE 2.5"]),
            ("Red-team exercise on policy questions", "planned", -5, ["MEASURE 2.7"]),
        ],
    ),
    (
        1,
        "Prompt injection through customer e-mails",
        "security",
        3,
        4,
        (2, 3),
        "mitigating",
        45,
        [("Input sanitising and tool-call allow-list", "implemented", -15, ["MEASURE 2.7", "Art. 15"])],
    ),
    (
        1,
        "Customer personal data sent to the LLM vendor",
        "privacy",
        3,
        5,
        (2, 2),
        "accepted",
        180,
        [("EU data residency and zero-retention agreement", "verified", -90, ["MANAGE 3.1", "GOVERN 6.1"])],
    ),
    (
        1,
        "Generated answers reuse copyrighted third-party text",
        "intellectual_property",
        2,
        3,
        None,
        "identified",
        60,
        [],
    ),
    (
        2,
        "Forecast collapses during supply shocks",
        "robustness",
        3,
        3,
        (2, 3),
        "mitigating",
        -3,
        [("Planner override with shock flag", "implemented", -30, ["MANAGE 2.4"])],
    ),
    (2, "Stale promotions calendar feed", "other", 2, 2, None, "closed", None, []),
    (
        3,
        "False positives block legitimate payments",
        "safety",
        3,
        3,
        None,
        "assessed",
        20,
        [("Analyst review before any block", "verified", -100, ["Art. 14"])],
    ),
    (
        4,
        "Model reads parental leave as an attrition signal",
        "bias_fairness",
        4,
        4,
        None,
        "identified",
        7,
        [("Vendor bias audit before any pilot", "planned", 30, ["MEASURE 2.11"])],
    ),
    (
        4,
        "Employment use falls under EU AI Act high-risk obligations",
        "legal_compliance",
        3,
        5,
        None,
        "identified",
        7,
        [],
    ),
]


def _initiatives(ctx):
    value = ctx.get("initiatives")
    if isinstance(value, dict):
        value = list(value.values())
    items = [i for i in (value or []) if isinstance(i, Initiative)]
    return items or list(Initiative.objects.order_by("key", "pk"))


def _match(initiatives, keywords, used):
    for initiative in initiatives:
        text = f"{initiative.title} {initiative.summary}".lower()
        if initiative.pk not in used and any(word in text for word in keywords):
            return initiative
    return None  # an inventory entry may belong to no initiative


def create(ctx):
    users, people = ctx["users"], ctx["people"]
    leader, governance = users["director"], users["governance"]
    owners = [people[k] for k in ("director", "scientist", "engineer", "reviewer") if k in people]
    today = timezone.localdate()
    requirements = {r.code: r for r in Requirement.objects.all()}
    initiatives = _initiatives(ctx)

    systems, used = [], set()
    for index, (name, keywords, kind, provider, lifecycle, tier, personal, categories, card) in enumerate(SYSTEMS):
        initiative = _match(initiatives, keywords, used)
        if initiative is not None:
            used.add(initiative.pk)
        systems.append(
            aisystem_create(
                by=leader,
                data={
                    "name": name,
                    "initiative": initiative,
                    "owner": owners[index % len(owners)] if owners else None,
                    "kind": kind,
                    "provider": provider,
                    "lifecycle_status": lifecycle,
                    "eu_ai_act_tier": tier,
                    "processes_personal_data": personal,
                    "data_categories": categories,
                    **card,
                },
            )
        )

    risks = []
    for index, (system_i, title, category, likelihood, impact, residual, status, review, mitigations) in enumerate(
        RISKS
    ):
        r_l, r_i = residual or (None, None)
        risk = risk_create(
            by=leader if index % 2 else governance,
            data={
                "title": title,
                "category": category,
                "ai_system": systems[system_i],
                "owner": owners[(index + 1) % len(owners)] if owners else None,
                "likelihood": likelihood,
                "impact": impact,
                "residual_likelihood": r_l,
                "residual_impact": r_i,
                "status": "identified" if status in ("accepted", "mitigating") else status,
                "next_review_date": today + timedelta(days=review) if review is not None else None,
            },
        )
        if status == "mitigating":
            risk = risk_update(risk, by=governance, data={"status": "mitigating"})
        elif status == "accepted":
            risk = risk_accept(
                risk=risk,
                by=governance,
                justification="Residual privacy risk is low after EU residency and zero retention; "
                "reviewed with the DPO.",
            )
        for description, m_status, due, codes in mitigations:
            mitigation_create(
                by=leader,
                data={
                    "risk": risk,
                    "description": description,
                    "owner": owners[index % len(owners)] if owners else None,
                    "status": m_status,
                    "due_date": today + timedelta(days=due),
                    "requirements": [requirements[c] for c in codes if c in requirements],
                },
            )
        risks.append(risk)

    # The gate demo: a pilot initiative cannot move to production while this critical risk is open.
    pilot = next((i for i in initiatives if i.stage == Stage.PILOT), None)
    if pilot is not None:
        blocker = risk_create(
            by=governance,
            data={
                "title": "No human review of automated decisions in production",
                "description": "Decisions would reach customers without a human check; needs a review step "
                "or an explicit acceptance before production.",
                "category": "safety",
                "initiative": pilot,
                "owner": pilot.owner,
                "likelihood": 4,
                "impact": 5,
                "status": "assessed",
                "next_review_date": today + timedelta(days=7),
            },
        )
        risks.append(blocker)
    ctx.update(ai_systems=systems, risks=risks)
