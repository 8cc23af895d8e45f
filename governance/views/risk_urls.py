"""URLs of the AI system inventory, the risk register and mitigations (included by governance/urls.py)."""

from django.urls import path

from . import risks as views

urlpatterns = [
    path("ai-systems/", views.AISystemListView.as_view(), name="aisystem_list"),
    path("ai-systems/add/", views.AISystemCreateView.as_view(), name="aisystem_add"),
    path("ai-systems/<int:pk>/", views.AISystemDetailView.as_view(), name="aisystem_detail"),
    path("ai-systems/<int:pk>/edit/", views.AISystemUpdateView.as_view(), name="aisystem_edit"),
    path("ai-systems/<int:pk>/delete/", views.AISystemDeleteView.as_view(), name="aisystem_delete"),
    path("ai-systems/<int:pk>/history/", views.AISystemHistoryView.as_view(), name="aisystem_history"),
    path("risks/", views.RiskListView.as_view(), name="risk_list"),
    path("risks/add/", views.RiskCreateView.as_view(), name="risk_add"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("risks/<int:pk>/edit/", views.RiskUpdateView.as_view(), name="risk_edit"),
    path("risks/<int:pk>/delete/", views.RiskDeleteView.as_view(), name="risk_delete"),
    path("risks/<int:pk>/history/", views.RiskHistoryView.as_view(), name="risk_history"),
    path("risks/<int:pk>/accept/", views.RiskAcceptView.as_view(), name="risk_accept"),
    path("mitigations/", views.MitigationListView.as_view(), name="mitigation_list"),
    path("mitigations/add/", views.MitigationCreateView.as_view(), name="mitigation_add"),
    path("mitigations/<int:pk>/", views.MitigationDetailView.as_view(), name="mitigation_detail"),
    path("mitigations/<int:pk>/edit/", views.MitigationUpdateView.as_view(), name="mitigation_edit"),
    path("mitigations/<int:pk>/delete/", views.MitigationDeleteView.as_view(), name="mitigation_delete"),
    path("mitigations/<int:pk>/history/", views.MitigationHistoryView.as_view(), name="mitigation_history"),
]
