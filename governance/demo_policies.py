"""Demo policies: five policies with two versions each (v1 superseded by an approved v2, or v2 still
in review), mapped to NIST AI RMF and EU AI Act requirements, partly acknowledged. Everything goes
through the services, so history, codes, numbers and review dates are what real use produces."""

from governance.models import Policy, Requirement
from governance.services import policies as services

SCOPE = "This policy applies to every AI/ML system the organisation builds, buys or operates."

POLICIES = [
    {
        "title": "Responsible AI policy",
        "category": "responsible_ai",
        "interval": 12,
        "requirements": ["GOVERN 1.1", "GOVERN 1.2", "GOVERN 2.1", "MAP 1.1", "MEASURE 2.11", "Art. 4", "Art. 9"],
        "v1": "## Purpose\n\n{scope}\n\n## Principles\n\n- Fairness: we test for bias before release.\n"
        "- Transparency: people know when they deal with an AI system.\n- Accountability: every system has an owner.\n",
        "v2": "## Purpose\n\n{scope}\n\n## Principles\n\n- **Fairness**: we test for bias before release and "
        "every quarter after.\n- **Transparency**: people know when they deal with an AI system.\n"
        "- **Accountability**: every system has a named owner and an executive sponsor.\n"
        "- **Human oversight**: high-risk decisions keep a human in the loop.\n\n"
        "## AI literacy\n\nEveryone working with AI completes the AI literacy training each year (EU AI Act, Art. 4).\n",
        "approve_v2": True,
    },
    {
        "title": "Generative AI acceptable use",
        "category": "generative_ai",
        "interval": 6,
        "requirements": ["GOVERN 1.4", "MAP 3.4", "MANAGE 2.2", "Art. 50"],
        "v1": "## Allowed\n\n- Drafting and summarising non-confidential text.\n\n## Not allowed\n\n"
        "- Pasting customer data into public chatbots.\n",
        "v2": "## Allowed\n\n- Drafting and summarising non-confidential text with approved tools.\n"
        "- Code assistance in approved IDE plug-ins.\n\n## Not allowed\n\n"
        "- Pasting customer or employee personal data into any tool not on the approved list.\n"
        "- Publishing generated content without human review.\n\n"
        "## Disclosure\n\nContent generated for customers is labelled as such (EU AI Act, Art. 50).\n",
        "approve_v2": True,
    },
    {
        "title": "Model risk management standard",
        "category": "model_risk",
        "interval": 12,
        "requirements": ["GOVERN 1.3", "MEASURE 1.1", "MEASURE 2.1", "MANAGE 1.1", "Art. 15", "Art. 72"],
        "v1": "## Model inventory\n\nEvery model in production is registered with its owner and purpose.\n\n"
        "## Validation\n\nModels are validated independently before release.\n",
        "v2": "## Model inventory\n\nEvery model in production is registered with its owner, purpose and "
        "risk tier.\n\n## Validation\n\nModels are validated independently before release; high-tier "
        "models are re-validated every year.\n\n## Monitoring\n\nDrift and performance are monitored; "
        "thresholds trigger a review.\n",
        "approve_v2": True,
    },
    {
        "title": "Data privacy for machine learning",
        "category": "data_privacy",
        "interval": 12,
        "requirements": ["MEASURE 2.10", "MAP 4.1", "Art. 10"],
        "v1": "## Personal data\n\nTraining data containing personal data needs a documented legal basis.\n",
        "v2": "## Personal data\n\nTraining data containing personal data needs a documented legal basis "
        "and a data protection impact assessment.\n\n## Minimisation\n\nFeatures are reviewed for "
        "necessity; direct identifiers are removed before training.\n",
        "approve_v2": False,
    },
    {
        "title": "AI incident response",
        "category": "security",
        "interval": 6,
        "requirements": ["MANAGE 4.3", "MANAGE 2.3", "GOVERN 4.3", "Art. 73"],
        "v1": "## What is an AI incident\n\nAny harm or near miss caused by an AI system.\n\n"
        "## Reporting\n\nReport incidents to the AI governance team within 24 hours.\n",
        "v2": "## What is an AI incident\n\nAny harm or near miss caused by an AI system, including "
        "harmful generated content.\n\n## Reporting\n\nReport incidents to the AI governance team within "
        "24 hours; serious incidents in high-risk systems are reported to the authority (EU AI Act, Art. 73).\n\n"
        "## Review\n\nEvery incident gets a blameless post-incident review.\n",
        "approve_v2": False,
    },
]

# Who has acknowledged the version in force, per policy (by position in POLICIES).
ACKNOWLEDGERS = [
    ["vp", "director", "scientist", "engineer", "Claude Shannon", "Hedy Lamarr"],
    ["vp", "scientist", "Lynn Conway"],
    ["director", "governance", "John von Neumann"],
    ["vp", "director", "governance", "reviewer", "scientist"],
    ["governance", "engineer"],
]


def create(ctx):
    users, people = ctx["users"], ctx["people"]
    author, reviewer, executive = users["governance"], users["reviewer"], users["vp"]
    requirements = {r.code: r for r in Requirement.objects.filter(framework__is_builtin=True)}
    policies = {}
    for spec, acknowledgers in zip(POLICIES, ACKNOWLEDGERS, strict=True):
        if Policy.objects.filter(title=spec["title"]).exists():
            continue
        policy = services.policy_create(
            by=author,
            data={
                "title": spec["title"],
                "category": spec["category"],
                "owner": people["governance"],
                "review_interval_months": spec["interval"],
                "requirements": [requirements[c] for c in spec["requirements"] if c in requirements],
            },
        )
        v1 = _version(policy, author, spec["v1"], "First version")
        services.policyversion_approve(version=v1, by=reviewer)
        v2 = _version(policy, author, spec["v2"], "Annual review: clearer rules and new sections")
        if spec["approve_v2"]:
            services.policyversion_approve(version=v2, by=executive)
        current = v2 if spec["approve_v2"] else v1
        for who in acknowledgers:
            person = people[who]
            by = users.get(who) or executive  # people without a login: recorded by the VP
            services.acknowledgement_create(by=by, data={"person": person, "policy_version": current})
        policies[spec["category"]] = policy
    ctx["policies"] = policies


def _version(policy, author, body, summary):
    version = services.policyversion_create(
        by=author, data={"policy": policy, "body": body.format(scope=SCOPE), "change_summary": summary}
    )
    return services.policyversion_submit(version=version, by=author)
