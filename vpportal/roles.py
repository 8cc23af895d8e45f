"""The five roles and who holds which: names, descriptions and the per-request lookup.

The bottom of the foundation: it imports nothing of the project, so the settings (which check role
names) and the tracked base model (`visible_to`) read roles without pulling in the permission map.
"""

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


def reads_every_private_value(user) -> bool:
    """Executives read every private note (a superuser without the role does not). Here, at the
    bottom, because the SQL mask of private columns (vpportal/core/private_fields.py) asks it too."""
    return has_role(user, EXECUTIVE)
