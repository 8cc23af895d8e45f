from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    DATA_SCIENCE = "data_science", _("Data science")
    ML_ENGINEERING = "ml_engineering", _("ML engineering")
    DATA_ENGINEERING = "data_engineering", _("Data engineering")
    PRODUCT = "product", _("Product")
    FINANCE = "finance", _("Finance")
    TECHNOLOGY = "technology", _("Technology")
    LEGAL = "legal", _("Legal")
    COMPLIANCE = "compliance", _("Compliance")
    RISK = "risk", _("Risk")
    EXECUTIVE = "executive", _("Executive")
    OTHER = "other", _("Other")


class CareerLevel(models.TextChoices):
    ENGINEER_1 = "engineer_1", _("Engineer I")
    ENGINEER_2 = "engineer_2", _("Engineer II")
    SENIOR = "senior", _("Senior")
    LEAD = "lead", _("Lead")
    PRINCIPAL = "principal", _("Principal")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    VP = "vp", _("VP")
