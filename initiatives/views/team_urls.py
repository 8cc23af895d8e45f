"""URLs of the team-development pages (included by initiatives/urls.py under the `initiatives` namespace)."""

from django.urls import path

from vpportal.core.views import tracked_paths

from . import team as views

urlpatterns = [
    *tracked_paths("mentorships/", views, "Mentorship"),
    path("mentorships/<int:pk>/reassign/", views.MentorshipReassignView.as_view(), name="mentorship_reassign"),
    path(
        "mentorships/<int:mentorship_pk>/sessions/add/",
        views.MentorshipSessionCreateView.as_view(),
        name="mentorshipsession_add",
    ),
    *tracked_paths("mentorships/sessions/", views, "MentorshipSession", omit=("add", "detail")),
    *tracked_paths("trainings/", views, "Training"),
    path("trainings/ai-literacy/", views.AILiteracyView.as_view(), name="ai_literacy"),
    path("trainings/<int:pk>/register/", views.training_register, name="training_register"),
    path("trainings/<int:pk>/unregister/", views.training_unregister, name="training_unregister"),
    path(
        "trainings/attendance/<int:pk>/mark/",
        views.trainingattendance_mark,
        name="trainingattendance_mark",
    ),
]
