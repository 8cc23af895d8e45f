from django.db import models

from vpportal.core.jobs import JobStatus


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


# A pack job's statuses are those of every background job.
PackJobStatus = JobStatus
