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
    *tracked_paths("model-sources/", views, "ModelSource"),
    path("model-sources/<int:pk>/sync/", views.modelsource_sync, name="modelsource_sync"),
    path("model-sources/<int:pk>/feeds/", views.modelsource_feed, name="modelsource_feed"),
    *tracked_paths("ai-system-versions/", views, "AISystemVersion", omit=("add", "edit", "delete")),
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
