from django.urls import path

from vpportal.core.views import tracked_paths

from . import evidence as views

app_name = "evidence"

urlpatterns = [
    path("pack/", views.EvidencePackView.as_view(), name="evidence_pack"),
    path("pack/jobs/<int:pk>/", views.EvidencePackJobView.as_view(), name="pack_job"),
    path("pack/jobs/<int:pk>/download/", views.EvidencePackJobDownloadView.as_view(), name="pack_job_download"),
    *tracked_paths("", views, "Evidence"),
    path("<int:pk>/file/", views.EvidenceReplaceFileView.as_view(), name="evidence_replace"),
    path("<int:pk>/download/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
]
