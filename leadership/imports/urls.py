from django.urls import path

from .views import export_data, import_data

urlpatterns = [
    path("import/", import_data, name="import_data"),
    path("import/export/", export_data, name="export_data"),
]
