"""`{% evidence_panel object %}`: the evidence of any record of a kind declared attachable
(evidence.registry), for the record's page. The evidence floor sits below the apps whose pages use
it: their templates compose the panel, the evidence app never imports them."""

from django import template

from evidence import registry
from evidence.models import Evidence

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context, record):
    """The record's evidence this user sees (one query), and an upload link for its writers."""
    user = context["request"].user
    kind = registry.for_model(type(record))
    if kind is None or not user.has_perm("evidence.view_evidence"):
        return {"panel": None}
    items = Evidence.objects.visible_to(user).with_related().attached_to(record).order_by("-uploaded_at", "-id")
    return {
        "panel": {
            "record": record,
            "kind": kind,
            "items": items,
            "can_upload": user.has_perm("evidence.add_evidence") and kind.writable_by(user, record),
        }
    }
