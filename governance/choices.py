from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemKind(models.TextChoices):
    CLASSIFIER = "classifier", _("Classifier")
    REGRESSOR = "regressor", _("Regressor")
    FORECASTER = "forecaster", _("Forecaster")
    RECOMMENDER = "recommender", _("Recommender")
    LLM_APPLICATION = "llm_application", _("LLM application")
    GENERATIVE_MODEL = "generative_model", _("Generative model")
    OTHER = "other", _("Other")


class Lifecycle(models.TextChoices):
    DESIGN = "design", _("Design")
    DEVELOPMENT = "development", _("Development")
    VALIDATION = "validation", _("Validation")
    DEPLOYED = "deployed", _("Deployed")
    RETIRED = "retired", _("Retired")


class EUAIActTier(models.TextChoices):
    UNASSESSED = "unassessed", _("Unassessed")
    MINIMAL = "minimal", _("Minimal risk")
    LIMITED = "limited", _("Limited risk (transparency)")
    HIGH = "high", _("High risk")
    PROHIBITED = "prohibited", _("Prohibited")


class RiskCategory(models.TextChoices):
    BIAS_FAIRNESS = "bias_fairness", _("Bias and fairness")
    PRIVACY = "privacy", _("Privacy")
    EXPLAINABILITY = "explainability", _("Explainability")
    HALLUCINATION_ACCURACY = "hallucination_accuracy", _("Hallucination and accuracy")
    SECURITY = "security", _("Security")
    ROBUSTNESS = "robustness", _("Robustness")
    SAFETY = "safety", _("Safety")
    LEGAL_COMPLIANCE = "legal_compliance", _("Legal and compliance")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property")
    THIRD_PARTY = "third_party", _("Third party")
    OTHER = "other", _("Other")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    MITIGATING = "mitigating", _("Mitigating")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


class RiskLevel(models.TextChoices):
    """Derived from a score (likelihood x impact): low 1-4, medium 5-9, high 10-16, critical 20-25."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# (level, lowest score, highest score): the one definition of the level bands.
LEVEL_BANDS = (
    (RiskLevel.LOW, 1, 4),
    (RiskLevel.MEDIUM, 5, 9),
    (RiskLevel.HIGH, 10, 16),
    (RiskLevel.CRITICAL, 17, 25),
)


# What each factor's 1-5 means: the risk form and the heat map's axes say these words.
LIKELIHOOD_NAMES = {1: _("Rare"), 2: _("Unlikely"), 3: _("Possible"), 4: _("Likely"), 5: _("Almost certain")}
IMPACT_NAMES = {1: _("Negligible"), 2: _("Minor"), 3: _("Moderate"), 4: _("Major"), 5: _("Severe")}


def level_for(score: int | None) -> str | None:
    if not score:
        return None
    for level, low, high in LEVEL_BANDS:
        if low <= score <= high:
            return level
    return None


class MitigationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    VERIFIED = "verified", _("Verified")


class PolicyCategory(models.TextChoices):
    RESPONSIBLE_AI = "responsible_ai", _("Responsible AI")
    DATA_PRIVACY = "data_privacy", _("Data privacy")
    MODEL_RISK = "model_risk", _("Model risk")
    GENERATIVE_AI = "generative_ai", _("Generative AI acceptable use")
    SECURITY = "security", _("Security")
    OTHER = "other", _("Other")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")
    RETIRED = "retired", _("Retired")


class RequirementLevel(models.TextChoices):
    FUNCTION = "function", _("Function")
    CATEGORY = "category", _("Category")
    SUBCATEGORY = "subcategory", _("Subcategory")
    ARTICLE = "article", _("Article")
    CONTROL = "control", _("Control")
    RISK = "risk", _("Risk")  # an entry of a risk library (NIST AI 600-1's generative AI risks)


# --- incidents (EU AI Act Article 73) and vendors ---------------------------------------------------
class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", _("Closed")


class SeriousKind(models.TextChoices):
    """The kinds of serious incident of EU AI Act Article 73, each with its report deadline."""

    DEATH = "death", _("Death of a person")
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", _("Serious disruption of critical infrastructure")
    WIDESPREAD_INFRINGEMENT = "widespread_infringement", _("Widespread infringement")
    OTHER_SERIOUS = "other_serious", _("Other serious harm (health, property, environment, fundamental rights)")


# Days after becoming aware (`detected_at`) within which the authority must be told (Art. 73(2)-(4)):
# the one definition of the report deadline; IncidentQuerySet.with_deadline() and
# Incident.report_due both read it.
REPORT_WITHIN_DAYS = {
    SeriousKind.DEATH: 10,
    SeriousKind.CRITICAL_INFRASTRUCTURE: 2,
    SeriousKind.WIDESPREAD_INFRINGEMENT: 2,
    SeriousKind.OTHER_SERIOUS: 15,
}
# A report due within this many days is urgent (the due queue, the dashboard and the pages say so).
REPORT_URGENT_DAYS = 2


class VendorKind(models.TextChoices):
    MODEL_PROVIDER = "model_provider", _("Model provider")
    DATA_PROVIDER = "data_provider", _("Data provider")
    PLATFORM = "platform", _("Platform")
    CONSULTANCY = "consultancy", _("Consultancy")
    OTHER = "other", _("Other")


class VendorStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    RESTRICTED = "restricted", _("Restricted")
    OFFBOARDED = "offboarded", _("Offboarded")


# A contract ending within this many days is a due item.
CONTRACT_END_NOTICE_DAYS = 90
