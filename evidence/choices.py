from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceKind(models.TextChoices):
    DPIA = "dpia", "DPIA"
    MODEL_CARD = "model_card", "Model card"
    TEST_REPORT = "test_report", "Test report"
    VALIDATION_REPORT = "validation_report", "Validation report"
    BIAS_AUDIT = "bias_audit", "Bias audit"
    RED_TEAM_REPORT = "red_team_report", "Red-team report"
    CONTRACT = "contract", "Contract"
    POLICY_DOCUMENT = "policy_document", "Policy document"
    SCREENSHOT = "screenshot", "Screenshot"
    OTHER = "other", "Other"


# Days ahead the due queue calls evidence "expiring".
EXPIRING_WITHIN_DAYS = 30


class PackJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
