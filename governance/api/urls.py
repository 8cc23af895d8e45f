"""API router of the governance app, merged into /api/v1/ by leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from governance.api.incidents import IncidentViewSet, VendorViewSet
from governance.api.policies import (
    AcknowledgementViewSet,
    FrameworkViewSet,
    PolicyVersionViewSet,
    PolicyViewSet,
    RequirementViewSet,
)
from governance.api.risks import AISystemViewSet, MitigationViewSet, RiskViewSet

router = SimpleRouter()
router.register("policies", PolicyViewSet, basename="policy")
router.register("policy-versions", PolicyVersionViewSet, basename="policyversion")
router.register("acknowledgements", AcknowledgementViewSet, basename="acknowledgement")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("ai-systems", AISystemViewSet, basename="aisystem")
router.register("risks", RiskViewSet, basename="risk")
router.register("mitigations", MitigationViewSet, basename="mitigation")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("vendors", VendorViewSet, basename="vendor")
