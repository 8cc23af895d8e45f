"""Factories of vendors and incidents, plus the seed the API fuzz test calls (`seed_api_data`)."""

import datetime

import factory
from django.utils import timezone

from governance.choices import IncidentSeverity, IncidentStatus, VendorKind, VendorStatus
from governance.models import Incident, Vendor
from governance.services.incidents import KEY_FORMAT
from tests.factories.base import KeyedFactory
from tests.factories.people import PersonFactory
from tests.factories.risks import AISystemFactory


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    kind = VendorKind.MODEL_PROVIDER
    status = VendorStatus.APPROVED
    dpa_signed = True
    data_locations = factory.LazyFunction(lambda: ["DE"])
    owner = factory.SubFactory(PersonFactory)


class IncidentFactory(KeyedFactory):
    _key_format = KEY_FORMAT

    class Meta:
        model = Incident
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = IncidentSeverity.MEDIUM
    status = IncidentStatus.OPEN
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=5))
    detected_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=4))
    owner = factory.SubFactory(PersonFactory)

    @factory.post_generation
    def ai_systems(self, create, extracted, **kwargs):
        if create and extracted:
            self.ai_systems.set(extracted)


def seed_api_data():
    vendor = VendorFactory(name="Seeded vendor")
    system = AISystemFactory(name="Seeded vendor system", vendor=vendor)
    IncidentFactory(ai_systems=[system], serious=True, serious_kind="other_serious", severity="high")
    IncidentFactory(title="Seeded minor incident")
