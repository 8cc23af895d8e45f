"""URLs of the AI system inventory, the risk register and mitigations (included by governance/urls.py)."""

from django.urls import path

from vpportal.core.views import tracked_paths

from . import risks as views

urlpatterns = [
    path("ai-systems/bulk/", views.AISystemBulkView.as_view(), name="aisystem_bulk"),
    *tracked_paths("ai-systems/", views, "AISystem"),
    path("risks/library/", views.RiskLibraryView.as_view(), name="risk_library"),
    path("risks/bulk/", views.RiskBulkView.as_view(), name="risk_bulk"),
    *tracked_paths("risks/", views, "Risk"),
    path("risks/<int:pk>/accept/", views.RiskAcceptView.as_view(), name="risk_accept"),
    path("mitigations/bulk/", views.MitigationBulkView.as_view(), name="mitigation_bulk"),
    *tracked_paths("mitigations/", views, "Mitigation"),
]
