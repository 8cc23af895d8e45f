from vpportal.core.views import tracked_paths

from . import views

app_name = "people"

urlpatterns = [
    *tracked_paths("", views, "Person"),
]
