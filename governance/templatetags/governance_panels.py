"""Governance's panels on other apps' pages. The initiative page loads `initiative_risks_panel`
by name from its template: governance imports initiatives, never the other way round, so the page
is composed in the template rather than by initiatives calling into governance."""

from django import template

from governance.models import AISystem, Incident, Risk

register = template.Library()


@register.inclusion_tag("governance/_initiative_risks_panel.html", takes_context=True)
def initiative_risks_panel(context, initiative):
    """AI systems and risks of an initiative (two queries); nothing for a user who may not view risks."""
    user = context["request"].user
    if not user.has_perm("governance.view_risk"):
        return {"panel": None}
    systems = AISystem.objects.visible_to(user).filter(initiative=initiative).select_related("owner")
    risks = (
        Risk.objects.visible_to(user)
        .with_scores()
        .concerning_initiative(initiative)
        .select_related("ai_system")
        .order_by("-residual_score", "key")
    )
    panel = {
        "initiative": initiative,
        "systems": systems,
        "risks": risks,
        "can_add_system": user.has_perm("governance.add_aisystem"),
        "can_add_risk": user.has_perm("governance.add_risk"),
    }
    return {"panel": panel}


@register.inclusion_tag("governance/_initiative_incidents_panel.html", takes_context=True)
def initiative_incidents_panel(context, initiative):
    """Incidents of an initiative in pilot or production: those naming it or one of its AI systems
    (one query, the AI systems prefetched); nothing before pilot or for a user who may not view them."""
    user = context["request"].user
    if initiative.stage not in ("pilot", "production") or not user.has_perm("governance.view_incident"):
        return {"panel": None}
    incidents = (
        Incident.objects.visible_to(user)
        .with_deadline()
        .concerning_initiative(initiative)
        .select_related("owner")
        .order_by("-detected_at", "-id")
    )
    return {
        "panel": {
            "initiative": initiative,
            "incidents": incidents,
            "can_add": user.has_perm("governance.add_incident"),
        }
    }
