"""URLs of policies, versions, acknowledgements and frameworks (included by governance/urls.py)."""

from django.urls import path

from . import policies as views

urlpatterns = [
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/add/", views.PolicyCreateView.as_view(), name="policy_add"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("policies/<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy_edit"),
    path("policies/<int:pk>/delete/", views.PolicyDeleteView.as_view(), name="policy_delete"),
    path("policies/<int:pk>/history/", views.PolicyHistoryView.as_view(), name="policy_history"),
    path("policies/<int:pk>/diff/", views.policy_diff, name="policy_diff"),
    path("policies/<int:pk>/acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("policies/<int:policy_pk>/versions/add/", views.PolicyVersionCreateView.as_view(), name="policyversion_add"),
    path("policy-versions/", views.PolicyVersionListView.as_view(), name="policyversion_list"),
    path("policy-versions/<int:pk>/", views.PolicyVersionDetailView.as_view(), name="policyversion_detail"),
    path("policy-versions/<int:pk>/edit/", views.PolicyVersionUpdateView.as_view(), name="policyversion_edit"),
    path("policy-versions/<int:pk>/delete/", views.PolicyVersionDeleteView.as_view(), name="policyversion_delete"),
    path("policy-versions/<int:pk>/history/", views.PolicyVersionHistoryView.as_view(), name="policyversion_history"),
    path("policy-versions/<int:pk>/submit/", views.PolicyVersionSubmitView.as_view(), name="policyversion_submit"),
    path("policy-versions/<int:pk>/approve/", views.PolicyVersionApproveView.as_view(), name="policyversion_approve"),
    path("policy-versions/<int:pk>/reject/", views.PolicyVersionRejectView.as_view(), name="policyversion_reject"),
    path("policy-versions/<int:pk>/retire/", views.PolicyVersionRetireView.as_view(), name="policyversion_retire"),
    path("frameworks/", views.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/add/", views.FrameworkCreateView.as_view(), name="framework_add"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework_detail"),
    path(
        "frameworks/<int:pk>/evidence-pack/", views.FrameworkEvidencePackView.as_view(), name="framework_evidence_pack"
    ),
    path("frameworks/<int:pk>/edit/", views.FrameworkUpdateView.as_view(), name="framework_edit"),
    path("frameworks/<int:pk>/delete/", views.FrameworkDeleteView.as_view(), name="framework_delete"),
    path("frameworks/<int:pk>/history/", views.FrameworkHistoryView.as_view(), name="framework_history"),
    path(
        "frameworks/<int:framework_pk>/requirements/add/",
        views.RequirementCreateView.as_view(),
        name="requirement_add",
    ),
    path("requirements/<int:pk>/edit/", views.RequirementUpdateView.as_view(), name="requirement_edit"),
]
