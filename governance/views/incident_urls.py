"""URLs of incidents and vendors (included by governance/urls.py)."""

from django.urls import path

from . import incidents as views

urlpatterns = [
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/add/", views.IncidentCreateView.as_view(), name="incident_add"),
    path("incidents/bulk/", views.IncidentBulkView.as_view(), name="incident_bulk"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.IncidentUpdateView.as_view(), name="incident_edit"),
    path("incidents/<int:pk>/delete/", views.IncidentDeleteView.as_view(), name="incident_delete"),
    path("incidents/<int:pk>/history/", views.IncidentHistoryView.as_view(), name="incident_history"),
    path("incidents/<int:pk>/transition/", views.IncidentTransitionView.as_view(), name="incident_transition"),
    path("incidents/<int:pk>/report-to-authority/", views.IncidentReportView.as_view(), name="incident_report"),
    path("incidents/<int:pk>/raise-risk/", views.IncidentRaiseRiskView.as_view(), name="incident_raise_risk"),
    path("vendors/", views.VendorListView.as_view(), name="vendor_list"),
    path("vendors/add/", views.VendorCreateView.as_view(), name="vendor_add"),
    path("vendors/<int:pk>/", views.VendorDetailView.as_view(), name="vendor_detail"),
    path("vendors/<int:pk>/edit/", views.VendorUpdateView.as_view(), name="vendor_edit"),
    path("vendors/<int:pk>/delete/", views.VendorDeleteView.as_view(), name="vendor_delete"),
    path("vendors/<int:pk>/history/", views.VendorHistoryView.as_view(), name="vendor_history"),
]
