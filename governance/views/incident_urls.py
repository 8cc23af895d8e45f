"""URLs of incidents and vendors (included by governance/urls.py)."""

from django.urls import path

from vpportal.core.views import tracked_paths

from . import incidents as views

urlpatterns = [
    path("incidents/bulk/", views.IncidentBulkView.as_view(), name="incident_bulk"),
    *tracked_paths("incidents/", views, "Incident"),
    path("incidents/<int:pk>/transition/", views.IncidentTransitionView.as_view(), name="incident_transition"),
    path("incidents/<int:pk>/report-to-authority/", views.IncidentReportView.as_view(), name="incident_report"),
    path("incidents/<int:pk>/raise-risk/", views.IncidentRaiseRiskView.as_view(), name="incident_raise_risk"),
    *tracked_paths("vendors/", views, "Vendor"),
]
