"""The governance checks of the stage gate (PRODUCT.md "The stage gate", checks 1, 2 and 4, and the
registered AI system an initiative that uses AI needs; `uses_ai = false` skips the AI-system checks).

`initiatives.gate` owns the mechanism; these functions are registered into it from
GovernanceConfig.ready(), so initiatives never imports governance. Each check returns its failure
reasons in plain words, naming the AI system, risk or policy at fault (empty when it passes).
"""

from initiatives.choices import Stage
from initiatives.gate import GateCheck, register_check

from .choices import EUAIActTier, IncidentSeverity, PolicyCategory, RiskLevel, VendorStatus, VersionStatus

GATE_POLICY_CATEGORIES = (PolicyCategory.RESPONSIBLE_AI, PolicyCategory.MODEL_RISK)
BLOCKING_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)


MSG_NO_AI_SYSTEM = (
    "The initiative uses AI but has no AI system registered: register its AI system in the inventory, "
    "or mark the initiative as not using AI."
)


def check_ai_system_registered(initiative, target_stage) -> list[str]:
    """An initiative that uses AI needs its systems in the inventory before pilot, or the tier check
    below would pass for want of anything to check."""
    from .models import AISystem

    if not initiative.uses_ai or AISystem.objects.filter(initiative=initiative).exists():
        return []
    return [MSG_NO_AI_SYSTEM]


def check_ai_act_tiers(initiative, target_stage) -> list[str]:
    from .models import AISystem

    if not initiative.uses_ai:  # a data or process initiative: no AI-system checks
        return []
    reasons = []
    for system in AISystem.objects.filter(initiative=initiative).order_by("name", "id"):
        if system.eu_ai_act_tier == EUAIActTier.UNASSESSED:
            reasons.append(f"AI system “{system.name}” has not been assessed against the EU AI Act (tier unassessed).")
        elif system.eu_ai_act_tier == EUAIActTier.PROHIBITED:
            reasons.append(f"AI system “{system.name}” is a prohibited practice under the EU AI Act.")
    return reasons


def check_open_high_risks(initiative, target_stage) -> list[str]:
    from .models import Risk

    risks = (
        Risk.objects.with_scores()
        .concerning_initiative(initiative)
        .open()
        .filter(residual_level__in=BLOCKING_LEVELS)
        .order_by("-residual_score", "key")
    )
    return [
        f"Risk {risk.key} “{risk.title}” is open with a {risk.residual_level} residual score "
        f"({risk.residual_score}); mitigate it below high or have it accepted."
        for risk in risks
    ]


def check_policy_acknowledgements(initiative, target_stage) -> list[str]:
    from .models import Acknowledgement, PolicyVersion

    owner = initiative.owner
    approved = (
        PolicyVersion.objects.filter(policy__category__in=GATE_POLICY_CATEGORIES, status=VersionStatus.APPROVED)
        .select_related("policy")
        .order_by("policy__code", "-number")
    )
    # Approving a version supersedes the previous one; should two ever be approved, the newest counts.
    current = {}
    for version in approved:
        current.setdefault(version.policy_id, version)
    current = list(current.values())
    acknowledged = set(
        Acknowledgement.objects.filter(person=owner, policy_version__in=current).values_list(
            "policy_version_id", flat=True
        )
    )
    return [
        f"The initiative owner {owner} has not acknowledged {version.policy} (version {version.number})."
        for version in current
        if version.pk not in acknowledged
    ]


def check_open_critical_incidents(initiative, target_stage) -> list[str]:
    """No critical incident that is not closed, on the initiative or one of its AI systems."""
    from .models import Incident

    incidents = (
        Incident.objects.concerning_initiative(initiative)
        .open()
        .filter(severity=IncidentSeverity.CRITICAL)
        .order_by("detected_at", "id")
    )
    return [
        f"Incident {incident.key} “{incident.title}” is critical and still {incident.get_status_display().lower()}; "
        "close it (root cause and lessons learned) before moving forward."
        for incident in incidents
    ]


def check_vendors(initiative, target_stage) -> list[str]:
    """Every AI system with a vendor has an approved vendor, with a signed data processing agreement
    when the system processes personal data."""
    from .models import AISystem

    if not initiative.uses_ai:
        return []
    systems = AISystem.objects.filter(initiative=initiative, vendor__isnull=False).select_related("vendor")
    return [reason for system in systems.order_by("name", "id") for reason in vendor_failures(system)]


def vendor_failures(system) -> list[str]:
    """One AI system's vendor rule: the vendor is approved, and has signed a data processing agreement
    when the system processes personal data (empty for an in-house system)."""
    if system.vendor_id is None:
        return []
    vendor = system.vendor
    reasons = []
    if vendor.status != VendorStatus.APPROVED:
        reasons.append(
            f"AI system “{system.name}” comes from vendor “{vendor.name}”, which is "
            f"{vendor.get_status_display().lower()}, not approved."
        )
    if system.processes_personal_data and not vendor.dpa_signed:
        reasons.append(
            f"AI system “{system.name}” processes personal data but vendor “{vendor.name}” has no signed "
            "data processing agreement."
        )
    return reasons


GOVERNANCE_CHECKS = (
    GateCheck(
        code="ai_system_registered",
        label="An initiative that uses AI has at least one AI system registered",
        run=check_ai_system_registered,
    ),
    GateCheck(
        code="ai_act_tiers",
        label="Every AI system has an EU AI Act tier, and none is prohibited",
        run=check_ai_act_tiers,
    ),
    GateCheck(
        code="open_high_risks",
        label="No open high or critical residual risk unless accepted",
        run=check_open_high_risks,
    ),
    GateCheck(
        code="open_critical_incidents",
        label="No open critical incident on the initiative or its AI systems",
        run=check_open_critical_incidents,
    ),
    GateCheck(
        code="vendors_approved",
        label="Every AI system from a vendor has an approved vendor, with a signed DPA for personal data",
        run=check_vendors,
    ),
    GateCheck(
        code="policy_acknowledgements",
        label="The owner acknowledged the current responsible-AI and model-risk policies",
        run=check_policy_acknowledgements,
        stages=(Stage.PRODUCTION,),
    ),
)


def register_gate_checks() -> None:
    for check in GOVERNANCE_CHECKS:
        register_check(check)


def system_failures(system) -> list[str]:
    """The gate's checks that concern one AI system, in plain words (empty when it passes): its EU AI
    Act tier is assessed and not prohibited, and no open risk of the system is high or critical by
    residual score unless accepted. Approving a model version of the system for production needs
    these to pass (integrations' model registry), as moving its initiative into a gated stage does;
    so does the vendor rule (`vendor_failures`)."""
    from .models import Risk

    reasons = []
    if system.eu_ai_act_tier == EUAIActTier.UNASSESSED:
        reasons.append(f"AI system “{system.name}” has not been assessed against the EU AI Act (tier unassessed).")
    elif system.eu_ai_act_tier == EUAIActTier.PROHIBITED:
        reasons.append(f"AI system “{system.name}” is a prohibited practice under the EU AI Act.")
    risks = (
        Risk.objects.with_scores()
        .filter(ai_system=system)
        .open()
        .filter(residual_level__in=BLOCKING_LEVELS)
        .order_by("-residual_score", "key")
    )
    reasons += [
        f"Risk {risk.key} “{risk.title}” is open with a {risk.residual_level} residual score "
        f"({risk.residual_score}); mitigate it below high or have it accepted."
        for risk in risks
    ]
    return reasons + vendor_failures(system)
