from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("report/pdf/", views.report_pdf_view, name="report_pdf"),
]
