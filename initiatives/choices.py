from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    DISCOVERY = "discovery", _("Discovery")
    POC = "poc", _("Proof of concept")
    PILOT = "pilot", _("Pilot")
    PRODUCTION = "production", _("Production")
    RETIRED = "retired", _("Retired")


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class Priority(models.IntegerChoices):
    P1 = 1, _("1 – critical")
    P2 = 2, _("2 – high")
    P3 = 3, _("3 – medium")
    P4 = 4, _("4 – low")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class KPIStatus(models.TextChoices):
    """Derived, never stored: see KPIQuerySet.with_status()."""

    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    GREY = "grey", _("Grey")


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")


class MeetingCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    AD_HOC = "ad_hoc", _("Ad hoc")


class TrainingTopic(models.TextChoices):
    GENAI = "genai", _("Generative AI")
    LLM = "llm", _("Large language models")
    RESPONSIBLE_AI = "responsible_ai", _("Responsible AI")
    MLOPS = "mlops", _("MLOps")
    DATA_PRIVACY = "data_privacy", _("Data privacy")
    AI_LITERACY = "ai_literacy", _("AI literacy")
    OTHER = "other", _("Other")


class AttendanceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No show")
