from django.urls import path

from .views import export_data, import_data, import_job_confirm, import_job_view

urlpatterns = [
    path("import/", import_data, name="import_data"),
    path("import/export/", export_data, name="export_data"),
    path("import/jobs/<int:pk>/", import_job_view, name="import_job"),
    path("import/jobs/<int:pk>/confirm/", import_job_confirm, name="import_job_confirm"),
]
