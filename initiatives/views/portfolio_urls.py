"""URLs of the portfolio pages (included by initiatives/urls.py under the `initiatives` namespace)."""

from django.urls import path

from . import portfolio as views

urlpatterns = [
    path("", views.InitiativeListView.as_view(), name="initiative_list"),
    path("board/", views.InitiativeBoardView.as_view(), name="initiative_board"),
    path("add/", views.InitiativeCreateView.as_view(), name="initiative_add"),
    path("<int:pk>/", views.InitiativeDetailView.as_view(), name="initiative_detail"),
    path("<int:pk>/edit/", views.InitiativeUpdateView.as_view(), name="initiative_edit"),
    path("<int:pk>/delete/", views.InitiativeDeleteView.as_view(), name="initiative_delete"),
    path("<int:pk>/history/", views.InitiativeHistoryView.as_view(), name="initiative_history"),
    path("<int:pk>/transition/", views.initiative_transition, name="initiative_transition"),
    path("milestones/", views.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/add/", views.MilestoneCreateView.as_view(), name="milestone_add"),
    path("milestones/<int:pk>/edit/", views.MilestoneUpdateView.as_view(), name="milestone_edit"),
    path("milestones/<int:pk>/delete/", views.MilestoneDeleteView.as_view(), name="milestone_delete"),
    path("milestones/<int:pk>/history/", views.MilestoneHistoryView.as_view(), name="milestone_history"),
    path("kpis/", views.KPIListView.as_view(), name="kpi_list"),
    path("kpis/add/", views.KPICreateView.as_view(), name="kpi_add"),
    path("kpis/<int:pk>/", views.KPIDetailView.as_view(), name="kpi_detail"),
    path("kpis/<int:pk>/edit/", views.KPIUpdateView.as_view(), name="kpi_edit"),
    path("kpis/<int:pk>/delete/", views.KPIDeleteView.as_view(), name="kpi_delete"),
    path("kpis/<int:pk>/history/", views.KPIHistoryView.as_view(), name="kpi_history"),
    path("kpis/<int:pk>/measurements/add/", views.KPIMeasurementAddView.as_view(), name="kpi_measurement_add"),
]
