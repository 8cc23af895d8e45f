"""Who may do what: the one place that maps roles to permissions, used by pages, admin and API.

Roles are Django groups (created by a data migration). Every permission is a `rules` predicate
registered under Django's usual name (`app.action_model`), so `user.has_perm(...)` answers the same
in views, the admin and DRF. Object rules (own mentorships, private notes, separation of duties)
are predicates that take the record.
"""

import rules

EXECUTIVE = "executive"
LEADER = "leader"
GOVERNANCE = "governance"
CONTRIBUTOR = "contributor"
AUDITOR = "auditor"
ROLES = (EXECUTIVE, LEADER, GOVERNANCE, CONTRIBUTOR, AUDITOR)

ROLE_DESCRIPTIONS = {
    EXECUTIVE: "Everything, including accepting risks, approving policies and overriding stage gates.",
    LEADER: "Create and edit initiatives, KPIs, AI systems, risks and mentorships; read everything else.",
    GOVERNANCE: "Create, edit and approve policies; assess and accept risks; manage frameworks; read all.",
    CONTRIBUTOR: "Read; add KPI measurements; acknowledge policies; own mentorships; register for trainings.",
    AUDITOR: "Read-only on everything including history; never private mentorship notes.",
}


def role_names(user) -> frozenset[str]:
    """The user's roles, cached on the user object for the request (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_vp_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._vp_roles = cached
    return cached


def has_any_role(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or role_names(user))


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def role(*roles: str):
    """A predicate true for users holding any of `roles`."""

    @rules.predicate(name=f"role({'|'.join(roles)})")
    def predicate(user):
        return has_role(user, *roles)

    return predicate


any_role = rules.predicate(has_any_role, name="any_role")

# --- the role map -------------------------------------------------------------------------------
# For each model: which roles may add, change and delete. Every role may view every model (private
# mentorship notes are guarded separately, field by field). Object rules are OR-ed in below.
W_LEAD = (EXECUTIVE, LEADER)
W_GOV = (EXECUTIVE, GOVERNANCE)
W_EXEC = (EXECUTIVE,)

MODEL_WRITERS: dict[str, tuple[str, ...]] = {
    "vpportal.person": W_EXEC,
    "initiatives.initiative": W_LEAD,
    "initiatives.milestone": W_LEAD,
    "initiatives.kpi": W_LEAD,
    "initiatives.kpimeasurement": (EXECUTIVE, LEADER, CONTRIBUTOR),
    "initiatives.mentorship": W_LEAD,
    "initiatives.mentorshipsession": W_LEAD,
    "initiatives.training": W_LEAD,
    "initiatives.trainingattendance": W_LEAD,
    "governance.aisystem": W_LEAD,
    "governance.risk": (EXECUTIVE, LEADER, GOVERNANCE),
    "governance.mitigation": (EXECUTIVE, LEADER, GOVERNANCE),
    "governance.policy": W_GOV,
    "governance.policyversion": W_GOV,
    "governance.acknowledgement": W_EXEC,
    "governance.framework": W_GOV,
    "governance.requirement": W_GOV,
}

# Extra object-level predicates per (model, action), OR-ed with the role rule. Apps add theirs
# through `add_object_rule` in their `rules.py` (autodiscovered), keeping the decision here.
OBJECT_RULES: dict[tuple[str, str], rules.Predicate] = {}


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _register(label: str, action: str):
    app_label, model_name = label.split(".")
    base = any_role if action == "view" else role(*MODEL_WRITERS[label])
    extra = OBJECT_RULES.get((label, action))
    rules.set_perm(f"{app_label}.{action}_{model_name}", base | extra if extra else base)


def add_object_rule(label: str, action: str, predicate):
    """OR an object predicate into the permission for `action` on model `label`."""
    OBJECT_RULES[(label, action)] = predicate
    _register(label, action)


for _label in MODEL_WRITERS:
    for _action in ("view", "add", "change", "delete"):
        _register(_label, _action)

# Named abilities that are not plain model writes.
rules.set_perm("vpportal.view_history", any_role)
rules.set_perm("vpportal.manage_own_tokens", rules.is_authenticated)
rules.set_perm("governance.approve_policyversion", role(*W_GOV))
rules.set_perm("governance.accept_risk", role(*W_GOV))
rules.set_perm("initiatives.override_gate", role(EXECUTIVE))
rules.set_perm("initiatives.view_private_notes", role(EXECUTIVE))
rules.set_perm("vpportal.import_data", role(EXECUTIVE))
