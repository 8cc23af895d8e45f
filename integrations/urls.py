from django.urls import path

from vpportal.core.views import tracked_paths

from . import views

app_name = "integrations"

urlpatterns = [
    *tracked_paths("webhooks/", views, "Webhook"),
    path("webhooks/<int:pk>/rotate-secret/", views.webhook_rotate_secret, name="webhook_rotate_secret"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("webhook-deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="delivery_redeliver"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("model-sources/", views.ModelSourceListView.as_view(), name="modelsource_list"),
    path("model-sources/add/", views.ModelSourceCreateView.as_view(), name="modelsource_add"),
    path("model-sources/<int:pk>/", views.ModelSourceDetailView.as_view(), name="modelsource_detail"),
    path("model-sources/<int:pk>/edit/", views.ModelSourceUpdateView.as_view(), name="modelsource_edit"),
    path("model-sources/<int:pk>/delete/", views.ModelSourceDeleteView.as_view(), name="modelsource_delete"),
    path("model-sources/<int:pk>/history/", views.ModelSourceHistoryView.as_view(), name="modelsource_history"),
    path("model-sources/<int:pk>/sync/", views.modelsource_sync, name="modelsource_sync"),
    path("model-sources/<int:pk>/feeds/", views.modelsource_feed, name="modelsource_feed"),
    path("ai-system-versions/", views.AISystemVersionListView.as_view(), name="aisystemversion_list"),
    path("ai-system-versions/<int:pk>/", views.AISystemVersionDetailView.as_view(), name="aisystemversion_detail"),
    path(
        "ai-system-versions/<int:pk>/history/",
        views.AISystemVersionHistoryView.as_view(),
        name="aisystemversion_history",
    ),
    path(
        "ai-system-versions/<int:pk>/approve/",
        views.aisystemversion_decide,
        {"decision": "approved"},
        name="aisystemversion_approve",
    ),
    path(
        "ai-system-versions/<int:pk>/reject/",
        views.aisystemversion_decide,
        {"decision": "rejected"},
        name="aisystemversion_reject",
    ),
]
