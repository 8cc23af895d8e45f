from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and risk"

    def ready(self):
        # The stage gate's governance checks.
        from .gate_checks import register_gate_checks

        register_gate_checks()
