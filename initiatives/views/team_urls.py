"""URLs of the team-development pages (included by initiatives/urls.py under the `initiatives` namespace)."""

from django.urls import path

from . import team as views

urlpatterns = [
    path("mentorships/", views.MentorshipListView.as_view(), name="mentorship_list"),
    path("mentorships/add/", views.MentorshipCreateView.as_view(), name="mentorship_add"),
    path("mentorships/<int:pk>/", views.MentorshipDetailView.as_view(), name="mentorship_detail"),
    path("mentorships/<int:pk>/edit/", views.MentorshipUpdateView.as_view(), name="mentorship_edit"),
    path("mentorships/<int:pk>/reassign/", views.MentorshipReassignView.as_view(), name="mentorship_reassign"),
    path("mentorships/<int:pk>/delete/", views.MentorshipDeleteView.as_view(), name="mentorship_delete"),
    path("mentorships/<int:pk>/history/", views.MentorshipHistoryView.as_view(), name="mentorship_history"),
    path(
        "mentorships/<int:mentorship_pk>/sessions/add/",
        views.MentorshipSessionCreateView.as_view(),
        name="mentorshipsession_add",
    ),
    path("mentorships/sessions/", views.MentorshipSessionListView.as_view(), name="mentorshipsession_list"),
    path(
        "mentorships/sessions/<int:pk>/edit/",
        views.MentorshipSessionUpdateView.as_view(),
        name="mentorshipsession_edit",
    ),
    path(
        "mentorships/sessions/<int:pk>/delete/",
        views.MentorshipSessionDeleteView.as_view(),
        name="mentorshipsession_delete",
    ),
    path(
        "mentorships/sessions/<int:pk>/history/",
        views.MentorshipSessionHistoryView.as_view(),
        name="mentorshipsession_history",
    ),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/add/", views.TrainingCreateView.as_view(), name="training_add"),
    path("trainings/ai-literacy/", views.AILiteracyView.as_view(), name="ai_literacy"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("trainings/<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training_edit"),
    path("trainings/<int:pk>/delete/", views.TrainingDeleteView.as_view(), name="training_delete"),
    path("trainings/<int:pk>/history/", views.TrainingHistoryView.as_view(), name="training_history"),
    path("trainings/<int:pk>/register/", views.training_register, name="training_register"),
    path("trainings/<int:pk>/unregister/", views.training_unregister, name="training_unregister"),
    path(
        "trainings/attendance/<int:pk>/mark/",
        views.trainingattendance_mark,
        name="trainingattendance_mark",
    ),
]
