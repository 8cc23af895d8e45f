from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and risk"

    def ready(self):
        # Risks: the stage gate's governance checks, and AI systems and risks on the initiative page.
        from .gate_checks import register_gate_checks
        from .views.risks import register_initiative_panels

        register_gate_checks()
        register_initiative_panels()

        # Policies: "policies I still have to acknowledge" on the home page.
        from .views.policies import register_home_panels

        register_home_panels()
