"""Single sign-on through the company's OpenID Connect identity provider.

Two halves:
- configuration (`role_map_from`, `openid_connect_providers`): pure functions that settings.py calls
  with values read from the environment, so they import nothing from Django's app registry;
- sign-in (`apply_identity`): called by the allauth social account adapter on every SSO sign-in to
  keep the user's roles in step with the identity provider's groups claim and to link the login
  to the Person with the same email (creating the Person on first sign-in).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

PROVIDER = "openid_connect"


def role_map_from(text: str, roles: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Parse `OIDC_ROLE_MAP`: comma-separated `group=role` pairs; one group may give several roles
    (`ai-vp=executive+governance`) and several groups the same role. A role that does not exist is a
    configuration error, raised at start-up rather than silently granting nothing."""
    mapping: dict[str, set[str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        group, sep, role_list = item.partition("=")
        group = group.strip()
        if not sep or not group:
            raise ImproperlyConfigured(f"OIDC_ROLE_MAP: expected group=role, got {item!r}.")
        for role in filter(None, (r.strip() for r in role_list.split("+"))):
            if role not in roles:
                raise ImproperlyConfigured(f"OIDC_ROLE_MAP: unknown role {role!r} (known: {', '.join(roles)}).")
            mapping.setdefault(group, set()).add(role)
    return {group: frozenset(names) for group, names in mapping.items()}


def openid_connect_providers(
    *,
    issuer: str,
    client_id: str,
    secret: str,
    provider_id: str = "sso",
    name: str = "Company sign-in",
    token_auth_method: str = "",
) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS entry for one OIDC app configured in settings (no database
    row to keep in step). Empty when no issuer is set: the portal then offers password sign-in only."""
    if not issuer:
        return {}
    if not client_id:
        raise ImproperlyConfigured("OIDC_ISSUER is set but OIDC_CLIENT_ID is empty.")
    app_settings = {"server_url": issuer.rstrip("/")}
    if token_auth_method:
        app_settings["token_auth_method"] = token_auth_method
    return {
        PROVIDER: {
            # PKCE protects the code even for a confidential client; every mainstream IdP supports it.
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": provider_id,
                    "name": name,
                    "client_id": client_id,
                    "secret": secret,
                    "settings": app_settings,
                }
            ],
        }
    }


def issuer_origin(issuer: str) -> str | None:
    """`scheme://host[:port]` of the issuer: the login form's POST is answered with a redirect there,
    and a strict CSP `form-action` blocks that redirect unless the origin is listed."""
    from urllib.parse import urlsplit

    if not issuer:
        return None
    parts = urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}"


# --- sign-in --------------------------------------------------------------------------------------


def claims_of(sociallogin) -> dict:
    """The identity claims of this sign-in: the ID token overlaid with userinfo (fresher, fuller)."""
    data = sociallogin.account.extra_data or {}
    if "userinfo" in data or "id_token" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def groups_of(claims: dict, claim: str) -> set[str]:
    value = claims.get(claim) or []
    if isinstance(value, str):  # some IdPs send a single group as a string, others space-separated
        value = value.replace(",", " ").split()
    return {str(group) for group in value}


def roles_for(groups: set[str], role_map: dict[str, frozenset[str]]) -> set[str]:
    return set().union(*(role_map.get(group, frozenset()) for group in groups))


def sync_roles(user, *, groups: set[str], role_map: dict[str, frozenset[str]]) -> set[str]:
    """Give the user exactly the mapped roles their groups imply: mapped roles are added and removed
    on every sign-in; roles the map never grants (assigned by hand in the admin) are left alone."""
    from django.contrib.auth.models import Group

    managed = set().union(*role_map.values()) if role_map else set()
    wanted = roles_for(groups, role_map)
    current = set(user.groups.values_list("name", flat=True))
    to_add = wanted - current
    to_remove = (current & managed) - wanted
    if to_add:
        groups_to_add = list(Group.objects.filter(name__in=to_add))
        missing = to_add - {group.name for group in groups_to_add}
        groups_to_add += [Group.objects.create(name=name) for name in sorted(missing)]  # roles exist after migrate
        user.groups.add(*groups_to_add)
    if to_remove:
        user.groups.remove(*Group.objects.filter(name__in=to_remove))
    user.__dict__.pop("_vp_roles", None)  # the per-request role cache of vpportal.permissions
    return (current | to_add) - to_remove


def link_person(user, *, email: str, name: str):
    """Link the login to the Person with the same email, or create that Person (first sign-in).

    A Person already linked to another login is left alone: two logins must never share a Person.
    """
    from vpportal.core.services import save_new
    from vpportal.people.models import Person

    email = (email or "").strip().lower()
    existing = Person.objects.filter(user=user).first()
    if existing or not email:
        return existing
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        return save_new(Person(user=user, email=email, name=name or email), by=user)
    if person.user_id is None:
        person.user = user
        # The link is made by the sign-in itself, on the user's behalf: history shows them as actor.
        from vpportal.core.services import save_changes

        return save_changes(person, by=user, version=person.version, fields=["user"])
    return None


def apply_identity(user, sociallogin) -> None:
    """Everything an SSO sign-in updates on our side: roles from groups, the Person link."""
    from django.conf import settings

    claims = claims_of(sociallogin)
    groups = groups_of(claims, settings.OIDC_GROUPS_CLAIM)
    sync_roles(user, groups=groups, role_map=settings.OIDC_ROLE_MAP)
    name = claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
    link_person(user, email=claims.get("email") or user.email, name=name)
