"""Single sign-on through the company's OpenID Connect identity provider.

Three parts, none importing Django's app registry at module level (settings.py imports this):
- configuration (`role_map_from`, `openid_connect_providers`): pure functions that settings.py calls
  with values read from the environment;
- sign-in (`apply_identity`): called by the allauth social account adapter on every SSO sign-in to
  keep the user's roles in step with the identity provider's groups claim and to link the login
  to the Person with the same (verified) email (creating the Person on first sign-in);
- checks and failures (`verify_id_token`, `PROBLEMS`): the ID token's signature against the
  provider's JWKS, and the page and log line of each way a sign-in fails. The views that use them
  are in vpportal/sso_views.py.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

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
    scopes: list[str] | None = None,
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
    if scopes:  # e.g. Okta releases the groups claim only for a `groups` scope
        app_settings["scope"] = list(scopes)
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


def link_person(user, *, email: str, name: str, verified: bool = True):
    """Link the login to the Person with the same email, or create that Person (first sign-in).

    A Person already linked to another login is left alone: two logins must never share a Person.
    Nor is a Person linked on an email the provider did not verify (anyone could claim it).
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
    if not verified:
        logger.warning("SSO sign-in: Person %s not linked to %s: email_verified is not true", person.pk, user)
        return None
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
    link_person(user, email=claims.get("email") or user.email, name=name, verified=email_verified(claims))


def email_verified(claims: dict) -> bool:
    """The provider vouches for the address: `email_verified` true (a JSON boolean, or the string
    some providers send). Missing (Entra ID sends none) counts as not verified."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


# --- failures -------------------------------------------------------------------------------------
# Every way an SSO sign-in can fail answers one of these pages (never a 500) and logs one line on
# the `vpportal.sso` logger with the code and what happened, for the administrator.

logger = logging.getLogger("vpportal.sso")


@dataclass(frozen=True)
class SignInProblem:
    code: str
    title: str
    message: str
    status: int


PROBLEMS = {
    problem.code: problem
    for problem in [
        SignInProblem(
            "provider_unreachable",
            "The company sign-in service cannot be reached",
            "VP Portal could not reach your company's identity provider, so you are not signed in. "
            "Try again in a few minutes; if it keeps happening, tell your administrator.",
            503,
        ),
        SignInProblem(
            "client_refused",
            "The company sign-in service refused VP Portal",
            "Your company's identity provider did not accept VP Portal's credentials (its client id or "
            "secret), so you are not signed in. An administrator must check the portal's SSO settings.",
            502,
        ),
        SignInProblem(
            "provider_error",
            "The company sign-in service reported an error",
            "Your company's identity provider answered with an error, so you are not signed in. "
            "Try again; if it keeps happening, tell your administrator.",
            502,
        ),
        SignInProblem(
            "token_rejected",
            "The sign-in could not be verified",
            "The identity provider's answer failed VP Portal's checks (its signature, issuer or dates), "
            "so you are not signed in. Try again; if it keeps happening, tell your administrator.",
            401,
        ),
        SignInProblem(
            "state_mismatch",
            "This sign-in has expired or was already used",
            "VP Portal did not start this sign-in in this browser, or it was already completed. "
            "Start again from the sign-in page.",
            400,
        ),
        SignInProblem(
            "cancelled",
            "Sign-in cancelled",
            "You cancelled at your company's sign-in page. You are not signed in.",
            200,
        ),
        SignInProblem(
            "unknown_user",
            "No VP Portal account for you yet",
            "Your company's identity provider signed you in, but you have no VP Portal account and the "
            "portal does not create them on first sign-in. Ask an administrator to add you.",
            403,
        ),
        SignInProblem(
            "email_not_verified",
            "Your e-mail address was not confirmed",
            "A VP Portal account with your e-mail address exists, but your identity provider did not "
            "confirm that the address is yours (email_verified), so the portal will not connect them. "
            "Ask an administrator.",
            403,
        ),
    ]
}


def log_problem(code: str, detail: str, *, provider_id: str = "") -> SignInProblem:
    logger.warning("SSO sign-in failed: %s (provider %s): %s", code, provider_id or "-", detail)
    return PROBLEMS[code]


class IdTokenRejected(Exception):
    """The ID token failed a check; the message says which (for the log, not the user)."""


# --- the ID token's signature ---------------------------------------------------------------------
# allauth skips the signature of an ID token received straight from the token endpoint (allowed by
# the spec over TLS). The portal checks it anyway, against the provider's published JWKS: a token
# signed by a key the provider does not publish is refused, and a key rotation is picked up by
# fetching the JWKS again when a token names a key id the cached copy lacks.

JWKS_CACHE_SECONDS = 3600
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})


def _jwks_cache_key(jwks_uri: str) -> str:
    return "vp-sso-jwks:" + hashlib.sha256(jwks_uri.encode()).hexdigest()


def fetch_jwks(jwks_uri: str, *, session) -> dict:
    from django.core.cache import cache

    response = session.get(jwks_uri)
    response.raise_for_status()
    jwks = response.json()
    cache.set(_jwks_cache_key(jwks_uri), jwks, JWKS_CACHE_SECONDS)
    return jwks


def _key_for(jwks, kid: str | None):
    import jwt

    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    for candidate in keys if isinstance(keys, list) else []:
        if not isinstance(candidate, dict) or candidate.get("use", "sig") != "sig":
            continue
        if kid is None or candidate.get("kid") == kid:
            try:
                return jwt.PyJWK(candidate).key
            except jwt.PyJWTError as error:  # a key we cannot use (unknown type or curve)
                raise IdTokenRejected(f"the JWKS key {kid!r} is unusable: {error}") from error
    return None


def verify_id_token(token: str, *, jwks_uri: str, issuer: str, audience: str, leeway: int, session) -> dict:
    """The ID token's claims, once its signature (a key from the provider's JWKS), issuer, audience
    and dates (with `leeway` seconds for clocks that disagree) check out; IdTokenRejected otherwise.
    Network failures (requests' exceptions) propagate: they are a different page."""
    import jwt
    from django.core.cache import cache

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenRejected(f"not a JWT: {error}") from error
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ASYMMETRIC_ALGORITHMS:
        raise IdTokenRejected(f"signing algorithm {alg!r} is not accepted")
    jwks = cache.get(_jwks_cache_key(jwks_uri))
    key = _key_for(jwks, kid) if jwks else None
    if key is None:  # not fetched yet, or the provider rotated its key since: ask again, once
        key = _key_for(fetch_jwks(jwks_uri, session=session), kid)
    if key is None:
        raise IdTokenRejected(f"signed with key id {kid!r}, which the provider's JWKS does not publish")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.ImmatureSignatureError as error:
        raise IdTokenRejected(f"issued in the future ({error}): the provider's clock is ahead of ours") from error
    except jwt.ExpiredSignatureError as error:
        raise IdTokenRejected(f"expired ({error}): the provider's clock is behind ours, or it is old") from error
    except jwt.PyJWTError as error:
        raise IdTokenRejected(f"{type(error).__name__}: {error}") from error
