"""Sign-in hardening shared by every page: the MFA enrolment requirement, re-authentication before
sensitive actions, and the explicit access declaration of function views.

- `MFARequiredMiddleware`: users holding a role in `MFA_REQUIRED_ROLES` who signed in with a password
  and have no authenticator app yet are sent to set one up before they can use anything else.
- `require_recent_auth` / `RecentAuthRequiredMixin`: the ONE helper for sensitive page actions
  (approving a policy version, accepting a risk, overriding the stage gate). A POST from a session
  whose last sign-in is older than `ACCOUNT_REAUTHENTICATION_TIMEOUT` is sent to confirm the password
  (or an MFA code), then the suspended POST is replayed; SSO users go back through the identity
  provider. API token calls never pass here: tokens are the integration path.
- `access(...)`: marks a function view with its permission decision (and enforces it), so the
  generated permission matrix in tests/security knows what to expect of it.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from vpportal.roles import has_any_role, role_names

# --- recent authentication --------------------------------------------------------------------------


def authentication_records(request) -> list[dict]:
    """allauth's log of how this session signed in (password, socialaccount, mfa, reauthentication)."""
    from allauth.account.internal.flows.login import get_authentication_records

    return get_authentication_records(request, request.user)


def did_recently_authenticate(request) -> bool:
    """True when this session proved who it is (sign-in, MFA or re-authentication) within the
    re-authentication timeout. A session that never went through allauth (no records) is not fresh."""
    if not request.user.is_authenticated:
        return False
    records = authentication_records(request)
    if not records:
        return False
    return time.time() - max(record.get("at", 0) for record in records) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def signed_in_with_sso(request) -> bool:
    return any(record.get("method") == "socialaccount" for record in authentication_records(request))


def _safe_return_path(request) -> str:
    """Where to come back after re-authenticating through the IdP: the page that posted, if ours."""
    candidate = request.POST.get("next") or request.headers.get("referer") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def reauthenticate_response(request):
    """Send the user to prove who they are again; None when they just did."""
    from allauth.account.adapter import get_adapter
    from allauth.core.exceptions import ReauthenticationRequired

    if did_recently_authenticate(request):
        return None
    if get_adapter(request).get_reauthentication_methods(request.user):
        # allauth's middleware stashes this POST and replays it once the password/MFA code is confirmed.
        raise ReauthenticationRequired()
    # SSO-only users have no local secret: a fresh identity-provider sign-in (prompt=login) counts.
    sso_login = sso_login_url()
    if sso_login is None:
        raise PermissionDenied("Confirming your identity is not possible for this account.")
    query = urlencode({"process": "login", "next": _safe_return_path(request), "auth_params": "prompt=login"})
    return redirect(f"{sso_login}?{query}")


def sso_login_url() -> str | None:
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    if not apps:
        return None
    return reverse("openid_connect_login", kwargs={"provider_id": apps[0]["provider_id"]})


def _reauth_enabled() -> bool:
    return getattr(settings, "REAUTH_SENSITIVE_ACTIONS", True)


def _needs_recent_auth(request, perm: str | None, when) -> bool:
    if request.method != "POST" or not _reauth_enabled() or not request.user.is_authenticated:
        return False
    if perm and not request.user.has_perm(perm):
        return False  # the view refuses them anyway; asking for a password first would only confuse
    return when is None or bool(when(request))


def require_recent_auth(view_func=None, *, perm: str | None = None, when=None):
    """Decorator for a sensitive page action: its POST needs a recent sign-in or re-authentication.

    GET (showing the form) is let through so the user sees what they are about to confirm.
    `perm`: only users holding it are asked (others get the view's own refusal);
    `when(request)`: only POSTs it approves are sensitive (e.g. a stage move with an override).
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if _needs_recent_auth(request, perm, when):
                response = reauthenticate_response(request)
                if response is not None:
                    return response
            return func(request, *args, **kwargs)

        wrapper.requires_recent_auth = True
        return wrapper

    return decorator(view_func) if view_func is not None else decorator


class RecentAuthRequiredMixin:
    """The class-based form of `require_recent_auth`; put it first in the bases.

    It hooks `post`, not `dispatch`, so the view's own sign-in, permission and record checks run first
    (and views that call a base class's dispatch directly are still covered)."""

    requires_recent_auth = True
    recent_auth_perm: str | None = None

    def post(self, request, *args, **kwargs):
        if _needs_recent_auth(request, self.recent_auth_perm, None):
            response = reauthenticate_response(request)
            if response is not None:
                return response
        return super().post(request, *args, **kwargs)


# --- MFA enrolment ----------------------------------------------------------------------------------


def _mfa_exempt_path(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    exempt = (
        reverse("account_logout"),
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
        reverse("health"),
        static,
    )
    return path.startswith(exempt)


def mfa_enrolment_required(request) -> bool:
    """A user whose role needs MFA, who signed in with a password and has no authenticator app."""
    required = set(getattr(settings, "MFA_REQUIRED_ROLES", ()))
    user = request.user
    if not required or not user.is_authenticated:
        return False
    if not (role_names(user) & required):
        return False
    if signed_in_with_sso(request) and not settings.MFA_REQUIRED_FOR_SSO:
        return False  # the identity provider enforces its own second factor
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MFARequiredMiddleware:
    """Sends users who must use MFA to the authenticator-app set-up until they have one.

    Placed after allauth's middleware; the API with a token is untouched (DRF authenticates after
    middleware, so `request.user` is anonymous here for token calls)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _mfa_exempt_path(request.path) and mfa_enrolment_required(request):
            if request.path.startswith("/api/"):
                raise PermissionDenied("Set up an authenticator app before using the portal.")
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# --- explicit access decisions for function views --------------------------------------------------

PUBLIC = "public"
SIGNED_IN = "signed_in"
ANY_ROLE = "any_role"


def access(decision: str):
    """Declare and enforce who may call a function view: `PUBLIC`, `SIGNED_IN` (any signed-in user,
    records scoped to them inside), `ANY_ROLE` (a signed-in user holding at least one role), or a
    permission name (`"app.codename"`) checked with has_perm.

    The security suite reads `view.access_decision`; a view without one (and not built on the
    permission-checking base classes) fails the generated permission matrix.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if decision != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if decision == ANY_ROLE:
                    if not has_any_role(request.user):
                        raise PermissionDenied
                elif decision != SIGNED_IN and not request.user.has_perm(decision):
                    raise PermissionDenied
            return view_func(request, *args, **kwargs)

        wrapper.access_decision = decision
        return wrapper

    return decorator
