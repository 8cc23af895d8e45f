"""URLs of policies, versions, acknowledgements and frameworks (included by governance/urls.py)."""

from django.urls import path

from vpportal.core.views import tracked_paths

from . import policies as views

urlpatterns = [
    path("policies/bulk/", views.PolicyBulkView.as_view(), name="policy_bulk"),
    *tracked_paths("policies/", views, "Policy"),
    path("policies/<int:pk>/diff/", views.policy_diff, name="policy_diff"),
    path("policies/<int:pk>/acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("policies/<int:policy_pk>/versions/add/", views.PolicyVersionCreateView.as_view(), name="policyversion_add"),
    *tracked_paths("policy-versions/", views, "PolicyVersion", omit=("add",)),
    path("policy-versions/<int:pk>/submit/", views.PolicyVersionSubmitView.as_view(), name="policyversion_submit"),
    path("policy-versions/<int:pk>/approve/", views.PolicyVersionApproveView.as_view(), name="policyversion_approve"),
    path("policy-versions/<int:pk>/reject/", views.PolicyVersionRejectView.as_view(), name="policyversion_reject"),
    path("policy-versions/<int:pk>/retire/", views.PolicyVersionRetireView.as_view(), name="policyversion_retire"),
    *tracked_paths("frameworks/", views, "Framework"),
    path(
        "frameworks/<int:pk>/evidence-pack/", views.FrameworkEvidencePackView.as_view(), name="framework_evidence_pack"
    ),
    path(
        "frameworks/<int:framework_pk>/requirements/add/",
        views.RequirementCreateView.as_view(),
        name="requirement_add",
    ),
    path("requirements/<int:pk>/edit/", views.RequirementUpdateView.as_view(), name="requirement_edit"),
]
