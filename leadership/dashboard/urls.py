from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("due/", views.due_view, name="due"),
    path("search/", views.search_view, name="search"),
]
