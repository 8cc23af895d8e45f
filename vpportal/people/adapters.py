"""allauth adapters: who may sign up, what an SSO sign-in updates, and when a fresh sign-in counts
as re-authentication."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings

from vpportal import security, sso


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators (or single sign-on), not by open sign-up."""

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_ALLOW_SIGNUP", False)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Signing in moments ago proves as much as re-entering the password: without this, a user
        # who signed in through SSO (no local password) could never set up MFA or do other guarded steps.
        request = context.request
        if request is not None and security.did_recently_authenticate(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


class LoginForm(AllauthLoginForm):
    """allauth's login form, refusing passwords when OIDC_ONLY makes SSO the only way in (the admin
    login and every other password sign-in go through this same form)."""

    MSG_SSO_ONLY = "Sign in with your company account; password sign-in is turned off."

    @property
    def sso_only(self) -> bool:
        return settings.OIDC_ONLY

    def clean(self):
        if self.sso_only:
            raise forms.ValidationError(self.MSG_SSO_ONLY)
        return super().clean()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """SSO sign-ins: anyone the company IdP vouches for gets a login; roles follow its groups."""

    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        # Returning users: roles and the Person link follow the IdP on every sign-in.
        if sociallogin.is_existing:
            sso.apply_identity(sociallogin.user, sociallogin)

    def save_user(self, request, sociallogin, form=None):
        # First sign-in (or the first SSO sign-in of an existing login, connected by email).
        user = super().save_user(request, sociallogin, form)
        sso.apply_identity(user, sociallogin)
        return user


def axes_username(request, credentials):
    """The name axes counts failures against: allauth's `login` field (username or email)."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    return (value or "").strip().lower() or None
