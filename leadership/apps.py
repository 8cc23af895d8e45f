from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    """The top floor: the VP's cockpit over every app (dashboard, executive report, audit trail,
    search, what's due, digest, import/export). It may import every app; nothing imports it."""

    name = "leadership"
    verbose_name = "Leadership"
