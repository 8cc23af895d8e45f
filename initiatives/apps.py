from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives and team"

    def ready(self):
        # The stage gate's own check; governance registers its checks from its AppConfig.ready.
        from .gate import KPI_WITH_TARGET, register_check

        register_check(KPI_WITH_TARGET)
