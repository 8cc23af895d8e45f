from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and risk"

    def ready(self):
        from .gate_checks import register_gate_checks

        register_gate_checks()

        # Policies: "policies I still have to acknowledge" on the home page.
        from .views.policies import register_home_panels

        register_home_panels()
