from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vpportal.events.outbox import events_committed

        from . import rules  # noqa: F401  (the role rules of webhooks and notifications)
        from .tasks import events_were_committed

        events_committed.connect(events_were_committed, dispatch_uid="integrations_fan_out")
