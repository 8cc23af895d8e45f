"""Factories of the AI system inventory, the risk register and mitigations, plus the seed the API
fuzz test calls (`seed_api_data`)."""

import factory

from governance.choices import EUAIActTier, Lifecycle, MitigationStatus, RiskCategory, RiskStatus, SystemKind
from governance.models import AISystem, Mitigation, Risk
from governance.services.risks import KEY_FORMAT
from initiatives.choices import Stage
from initiatives.models import Initiative
from tests.factories.base import KeyedFactory
from tests.factories.people import PersonFactory


class GateInitiativeFactory(factory.django.DjangoModelFactory):
    """A minimal initiative for risk tests (the portfolio factories may not exist in this checkout)."""

    class Meta:
        model = Initiative

    key = factory.Sequence(lambda n: f"INI-{9000 + n}")
    title = factory.Sequence(lambda n: f"Initiative {n}")
    stage = Stage.POC
    owner = factory.SubFactory(PersonFactory)


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    name = factory.Sequence(lambda n: f"System {n}")
    purpose = "Scores things."
    initiative = factory.SubFactory(GateInitiativeFactory)
    owner = factory.SubFactory(PersonFactory)
    kind = SystemKind.CLASSIFIER
    lifecycle_status = Lifecycle.DEVELOPMENT
    eu_ai_act_tier = EUAIActTier.LIMITED


class RiskFactory(KeyedFactory):
    _key_format = KEY_FORMAT

    class Meta:
        model = Risk

    title = factory.Sequence(lambda n: f"Risk {n}")
    category = RiskCategory.BIAS_FAIRNESS
    ai_system = factory.SubFactory(AISystemFactory)
    initiative = None
    owner = factory.SubFactory(PersonFactory)
    likelihood = 2
    impact = 2
    status = RiskStatus.IDENTIFIED


class MitigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mitigation

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Mitigation {n}")
    owner = factory.SubFactory(PersonFactory)
    status = MitigationStatus.PLANNED


def seed_api_data():
    system = AISystemFactory(name="Seeded classifier")
    risk = RiskFactory(ai_system=system, likelihood=4, impact=5, residual_likelihood=3)
    RiskFactory(ai_system=None, initiative=system.initiative, category=RiskCategory.PRIVACY)
    MitigationFactory(risk=risk, status=MitigationStatus.IMPLEMENTED)
