from django.urls import path

from . import evidence as views

app_name = "evidence"

urlpatterns = [
    path("", views.EvidenceListView.as_view(), name="evidence_list"),
    path("add/", views.EvidenceCreateView.as_view(), name="evidence_add"),
    path("pack/", views.EvidencePackView.as_view(), name="evidence_pack"),
    path("pack/jobs/<int:pk>/", views.EvidencePackJobView.as_view(), name="pack_job"),
    path("pack/jobs/<int:pk>/download/", views.EvidencePackJobDownloadView.as_view(), name="pack_job_download"),
    path("<int:pk>/", views.EvidenceDetailView.as_view(), name="evidence_detail"),
    path("<int:pk>/edit/", views.EvidenceUpdateView.as_view(), name="evidence_edit"),
    path("<int:pk>/file/", views.EvidenceReplaceFileView.as_view(), name="evidence_replace"),
    path("<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    path("<int:pk>/history/", views.EvidenceHistoryView.as_view(), name="evidence_history"),
    path("<int:pk>/download/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
]
