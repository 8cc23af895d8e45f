"""The OpenID Connect sign-in views: allauth's, with two changes (vpportal/sso.py holds the rules).

- The ID token's signature is always checked against the provider's JWKS, with a clock-skew
  leeway (`OIDC_CLOCK_SKEW_SECONDS`); allauth skips it for tokens from the token endpoint.
- A provider that cannot be reached, refuses the portal, or answers something that fails the checks
  gives a clear page and a log line, never a 500 (allauth lets a discovery failure through).

This module imports allauth's views, so it cannot live in vpportal/sso.py, which settings.py imports
before the app registry is ready.
"""

from __future__ import annotations

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from vpportal import sso
from vpportal.security import PUBLIC, access

ID_TOKEN_SESSION_KEY = "vp_sso_id_token"  # the raw ID token: the id_token_hint of RP-initiated logout


class IdTokenRefused(OAuth2Error):
    """sso.IdTokenRejected as the error allauth's callback answers with its error hook."""


class PortalOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            with get_adapter().get_requests_session() as session:
                claims = sso.verify_id_token(
                    id_token,
                    jwks_uri=self.openid_config["jwks_uri"],
                    issuer=self.openid_config["issuer"],
                    audience=app.client_id,
                    leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                    session=session,
                )
        except sso.IdTokenRejected as error:
            raise IdTokenRefused(str(error)) from error
        # Kept for the sign-out (AccountAdapter.login stores it in the new session).
        self.request.vp_sso_id_token = id_token
        return claims


def render_problem(request, problem: sso.SignInProblem):
    return render(
        request,
        "socialaccount/sso_problem.html",
        {"problem": problem, "login_url": reverse("account_login")},
        status=problem.status,
    )


def problem_for(request, error, exception, extra_context, provider_id: str) -> sso.SignInProblem:
    """Name what went wrong in allauth's callback (and log it)."""
    detail = f"{type(exception).__name__}: {exception}" if exception else ""
    if error == AuthError.CANCELLED:
        return sso.log_problem(
            "cancelled", "the user cancelled at the provider (access_denied)", provider_id=provider_id
        )
    if isinstance(exception, IdTokenRefused):
        return sso.log_problem("token_rejected", f"ID token {exception}", provider_id=provider_id)
    if isinstance(exception, requests.ConnectionError | requests.Timeout):
        return sso.log_problem("provider_unreachable", detail, provider_id=provider_id)
    if exception is not None:
        if "invalid_client" in str(exception):
            return sso.log_problem("client_refused", f"token endpoint: {detail}", provider_id=provider_id)
        return sso.log_problem("provider_error", detail, provider_id=provider_id)
    if "state_id" in extra_context:  # allauth found no sign-in it started under this state
        state = extra_context.get("state_id") or "(none)"
        return sso.log_problem(
            "state_mismatch", f"unknown or already used state {state[:12]!r}", provider_id=provider_id
        )
    if request.GET.get("error"):
        reported = f"{request.GET.get('error')}: {request.GET.get('error_description', '')}"
        return sso.log_problem("provider_error", f"the provider answered {reported}", provider_id=provider_id)
    return sso.log_problem("provider_error", "no code in the callback", provider_id=provider_id)


def on_authentication_error(request, provider, *, error, exception, extra_context) -> None:
    """allauth's hook for a failed callback: answer our page instead of its generic one."""
    problem = problem_for(request, error, exception, extra_context or {}, getattr(provider, "sub_id", ""))
    raise ImmediateHttpResponse(render_problem(request, problem))


def _guarded(view_class, request, provider_id: str):
    try:
        view = view_class.adapter_view(PortalOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
    except requests.RequestException as error:
        # Discovery: the provider is down or its /.well-known/openid-configuration is not JSON
        # (allauth reads it outside its own error handling).
        detail = f"discovery at {settings.OIDC_ISSUER or provider_id}: {type(error).__name__}: {error}"
        return render_problem(request, sso.log_problem("provider_unreachable", detail, provider_id=provider_id))


@access(PUBLIC)  # the ways in: anyone may start or finish an SSO sign-in
def login(request, provider_id):
    return _guarded(OAuth2LoginView, request, provider_id)


@access(PUBLIC)
def callback(request, provider_id):
    return _guarded(OAuth2CallbackView, request, provider_id)


def end_session_url(request, id_token: str) -> str | None:
    """The provider's end-session URL for RP-initiated logout (back to our sign-in page), or None
    when it has none or cannot be reached: the portal's own sign-out never waits on the provider."""
    from urllib.parse import urlencode

    try:
        adapter = PortalOpenIDConnectAdapter(request, settings.OIDC_PROVIDER_ID)
        provider = adapter.get_provider()
        endpoint = adapter.openid_config.get("end_session_endpoint")
    except (SocialApp.DoesNotExist, requests.RequestException) as error:
        sso.logger.warning("SSO sign-out: provider not reached, signed out of the portal only: %s", error)
        return None
    if not endpoint:
        return None
    query = {
        "id_token_hint": id_token,
        "client_id": provider.app.client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.ACCOUNT_LOGOUT_REDIRECT_URL)),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def refuse_new_login(request, sociallogin) -> None:
    """A sign-in matching no login: refused (ImmediateHttpResponse) unless the portal may create it.

    An unverified email that matches an existing login is refused even under OIDC_AUTO_CREATE:
    allauth would otherwise ask for a signup form with a taken address."""
    from django.contrib.auth import get_user_model

    claims = sso.claims_of(sociallogin)
    email = (claims.get("email") or "").strip()
    provider_id = sociallogin.account.provider
    if email and not sso.email_verified(claims) and get_user_model().objects.filter(email__iexact=email).exists():
        problem = sso.log_problem(
            "email_not_verified",
            f"sub {sociallogin.account.uid!r} claims the email of an existing login without email_verified",
            provider_id=provider_id,
        )
        raise ImmediateHttpResponse(render_problem(request, problem))
    if not settings.OIDC_AUTO_CREATE:
        problem = sso.log_problem(
            "unknown_user",
            f"no login for sub {sociallogin.account.uid!r} ({email or 'no email'}) and OIDC_AUTO_CREATE is off",
            provider_id=provider_id,
        )
        raise ImmediateHttpResponse(render_problem(request, problem))
