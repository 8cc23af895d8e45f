"""Factories of policies, versions, acknowledgements and frameworks, and the API fuzz seed."""

import factory
from django.utils import timezone

from governance.choices import PolicyCategory, RequirementLevel, VersionStatus
from governance.data import load_catalogue
from governance.models import Acknowledgement, Framework, Policy, PolicyVersion, Requirement
from tests.factories.people import PersonFactory, UserFactory


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    code = factory.Sequence(lambda n: f"POL-{n + 500:03d}")
    title = factory.Sequence(lambda n: f"Policy {n}")
    category = PolicyCategory.RESPONSIBLE_AI
    owner = factory.SubFactory(PersonFactory)
    review_interval_months = 12


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    policy = factory.SubFactory(PolicyFactory)
    number = factory.LazyAttribute(lambda v: v.policy.versions.count() + 1)
    body = "# Purpose\n\nWe use AI responsibly.\n"
    change_summary = "First text"
    author = factory.SubFactory(UserFactory)
    status = VersionStatus.DRAFT


class ApprovedVersionFactory(PolicyVersionFactory):
    status = VersionStatus.APPROVED
    approved_by = factory.SubFactory(UserFactory)
    approved_at = factory.LazyFunction(timezone.now)


class AcknowledgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Acknowledgement

    person = factory.SubFactory(PersonFactory)
    policy_version = factory.SubFactory(ApprovedVersionFactory)


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    code = factory.Sequence(lambda n: f"internal-{n}")
    title = factory.Sequence(lambda n: f"Internal standard {n}")


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"R-{n}")
    title = factory.Sequence(lambda n: f"Requirement {n}")
    level = RequirementLevel.CONTROL


def seed_api_data():
    """A policy in force with an acknowledgement, a draft, a version in review, a custom framework."""
    load_catalogue()
    approved = ApprovedVersionFactory()
    AcknowledgementFactory(policy_version=approved)
    PolicyVersionFactory(policy=approved.policy, status=VersionStatus.IN_REVIEW)
    PolicyVersionFactory()
    RequirementFactory()
