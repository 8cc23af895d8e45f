"""Admin of the AI system inventory, the risk register and mitigations; saves go through the same
services as pages and API (TrackedAdmin). Accepting a risk needs a written justification, so the
admin refuses a status change to `accepted` (risk_update says so) and points to the risk page."""

from django.contrib import admin

from governance.models import AISystem, Mitigation, Risk
from governance.services.risks import AISYSTEM_WRITES, MITIGATION_WRITES, RISK_WRITES
from governance.specs import AI_SYSTEM, MITIGATION, RISK
from vpportal.core.admin import TrackedAdmin


@admin.register(AISystem)
class AISystemAdmin(TrackedAdmin):
    spec = AI_SYSTEM
    list_filter = ("eu_ai_act_tier", "lifecycle_status", "kind", "processes_personal_data")
    search_fields = ("name", "purpose", "provider")
    writes = AISYSTEM_WRITES


@admin.register(Risk)
class RiskAdmin(TrackedAdmin):
    spec = RISK
    list_filter = ("category", "status")
    search_fields = ("key", "title", "description")
    readonly_fields = (
        "key",
        "accepted_by",
        "accepted_at",
        "acceptance_justification",
        *TrackedAdmin.readonly_fields,
    )
    writes = RISK_WRITES

    def get_queryset(self, request):
        return super().get_queryset(request).with_scores()

    @admin.display(description="Inherent", ordering="inherent_score")
    def inherent_score(self, obj):
        return obj.inherent_score

    @admin.display(description="Residual", ordering="residual_score")
    def residual_score(self, obj):
        return obj.residual_score

    @admin.display(description="Residual level", ordering="residual_score")
    def residual_level(self, obj):
        return obj.get_residual_level_display()


@admin.register(Mitigation)
class MitigationAdmin(TrackedAdmin):
    spec = MITIGATION
    list_filter = ("status",)
    search_fields = ("description", "risk__key", "risk__title")
    filter_horizontal = ("requirements",)
    writes = MITIGATION_WRITES
