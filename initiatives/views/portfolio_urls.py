"""URLs of the portfolio pages (included by initiatives/urls.py under the `initiatives` namespace)."""

from django.urls import path

from vpportal.core.views import tracked_paths

from . import portfolio as views

urlpatterns = [
    path("bulk/", views.InitiativeBulkView.as_view(), name="initiative_bulk"),
    *tracked_paths("", views, "Initiative"),
    path("board/", views.InitiativeBoardView.as_view(), name="initiative_board"),
    path("<int:pk>/transition/", views.initiative_transition, name="initiative_transition"),
    *tracked_paths("milestones/", views, "Milestone", omit=("detail",)),
    path("kpis/bulk/", views.KPIBulkView.as_view(), name="kpi_bulk"),
    *tracked_paths("kpis/", views, "KPI"),
    path("kpis/<int:pk>/measurements/add/", views.KPIMeasurementAddView.as_view(), name="kpi_measurement_add"),
]
