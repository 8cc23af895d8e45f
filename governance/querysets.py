"""Reads of the governance app, shared by pages, admin, API and exports."""

from vpportal.core.models import TrackedQuerySet


class AISystemQuerySet(TrackedQuerySet):
    search_fields = ("name", "purpose", "provider", "intended_use")

    def with_related(self):
        return super().with_related().select_related("initiative", "owner")


class RiskQuerySet(TrackedQuerySet):
    search_fields = ("key", "title", "description")

    def with_related(self):
        return super().with_related().select_related("ai_system", "initiative", "owner", "accepted_by")


class MitigationQuerySet(TrackedQuerySet):
    search_fields = ("description", "risk__key", "risk__title")

    def with_related(self):
        return super().with_related().select_related("risk", "owner").prefetch_related("requirements")


class PolicyQuerySet(TrackedQuerySet):
    search_fields = ("code", "title")

    def with_related(self):
        return super().with_related().select_related("owner").prefetch_related("requirements")


class PolicyVersionQuerySet(TrackedQuerySet):
    search_fields = ("policy__code", "policy__title", "change_summary", "body")

    def with_related(self):
        return super().with_related().select_related("policy", "author", "approved_by")


class AcknowledgementQuerySet(TrackedQuerySet):
    search_fields = ("person__name", "policy_version__policy__code", "policy_version__policy__title")

    def with_related(self):
        return super().with_related().select_related("person", "policy_version__policy")


class FrameworkQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "description")


class RequirementQuerySet(TrackedQuerySet):
    search_fields = ("code", "title", "text")

    def with_related(self):
        return super().with_related().select_related("framework", "parent")
