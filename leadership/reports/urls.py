from django.urls import path

from . import incident, views

urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("report/pdf/", views.report_pdf_view, name="report_pdf"),
    path("report/incidents/<int:pk>/", incident.incident_report_view, name="incident_report_print"),
    path("report/incidents/<int:pk>/pdf/", incident.incident_report_pdf_view, name="incident_report_pdf"),
    path("report/pdf/jobs/", views.report_job_add, name="report_job_add"),
    path("report/pdf/jobs/<int:pk>/", views.report_job_view, name="report_job"),
    path("report/pdf/jobs/<int:pk>/download/", views.report_job_download, name="report_job_download"),
]
