"""allauth adapters: who may sign up, what an SSO sign-in updates, and when a fresh sign-in counts
as re-authentication."""

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.utils import filter_users_by_email, filter_users_by_username
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth import logout

from vpportal import security, sso
from vpportal.tasks import MAIL_FIRST_DELAY_SECONDS, mail_payload, send_mail_task

log = logging.getLogger(__name__)


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

    def login(self, request, user) -> None:
        super().login(request, user)
        # An SSO sign-in keeps its raw ID token in the session: RP-initiated logout sends it back.
        id_token = getattr(request, "vp_sso_id_token", None)
        if id_token:
            from vpportal.sso_views import ID_TOKEN_SESSION_KEY

            request.session[ID_TOKEN_SESSION_KEY] = id_token

    def get_logout_redirect_url(self, request):
        # Called before the session ends: an SSO user is sent on to end the provider's session too.
        from vpportal.sso_views import ID_TOKEN_SESSION_KEY, end_session_url

        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        return (id_token and end_session_url(request, id_token)) or super().get_logout_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # A mail server that is down must not answer 500, and must not answer differently from the
        # normal case: the password-reset form then tells whether the address has an account (it
        # mails known and unknown addresses alike). The failure is logged (without the address) and
        # the rendered message goes to the background worker, which tries again with growing delays.
        message = self.render_mail(template_prefix, email, context)
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            kind = template_prefix.rsplit("/", 1)[-1]
            log.error("Sending the %s e-mail failed: %s; the worker will try again.", kind, type(error).__name__)
            try:
                send_mail_task.apply_async((mail_payload(message),), countdown=MAIL_FIRST_DELAY_SECONDS)
            except Exception:  # the broker is down too: nothing more to do than say so
                log.exception("Could not hand the %s e-mail to the worker.", kind)

    def reauthenticate(self, user, password: str) -> bool:
        # The password goes through `authenticate`, so django-axes counts a wrong one against the
        # account exactly as on the sign-in form (one counter). Once the account is locked, the
        # session proves nothing any more: it is signed out, so the suspended action cannot be
        # completed by guessing on, and the correct password no longer helps until the cool-off.
        confirmed = super().reauthenticate(user, password)
        request = context.request
        if not confirmed and request is not None and getattr(request, "axes_locked_out", False):
            logout(request)
        return confirmed


class LoginForm(AllauthLoginForm):
    """allauth's login form, refusing passwords when OIDC_ONLY makes SSO the only way in (the admin
    login and every other password sign-in go through this same form), except for the break-glass
    superuser named by OIDC_BREAK_GLASS_USERNAME: the way in when the identity provider is down."""

    MSG_SSO_ONLY = "Sign in with your company account; password sign-in is turned off."
    BREAK_GLASS_PARAM = "break_glass"

    @property
    def break_glass_requested(self) -> bool:
        """The password form is shown under OIDC_ONLY only at /accounts/login/?break_glass=1."""
        request = getattr(self, "request", None)
        return (
            bool(settings.OIDC_BREAK_GLASS_USERNAME) and request is not None and self.BREAK_GLASS_PARAM in request.GET
        )

    @property
    def sso_only(self) -> bool:
        return settings.OIDC_ONLY and not self.break_glass_requested

    def is_break_glass(self, login: str) -> bool:
        from django.contrib.auth import get_user_model

        name = settings.OIDC_BREAK_GLASS_USERNAME
        if not name or (login or "").strip().lower() != name.lower():
            return False
        return get_user_model().objects.filter(username__iexact=name, is_superuser=True, is_active=True).exists()

    def clean(self):
        if settings.OIDC_ONLY and not self.is_break_glass(self.cleaned_data.get("login", "")):
            raise forms.ValidationError(self.MSG_SSO_ONLY)
        return super().clean()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """SSO sign-ins: a login is created for someone the company IdP vouches for only under
    OIDC_AUTO_CREATE; roles follow its groups; failures answer a clear page (vpportal.sso_views)."""

    def is_open_for_signup(self, request, sociallogin):
        return settings.OIDC_AUTO_CREATE

    def pre_social_login(self, request, sociallogin):
        # After allauth's lookup: by the SSO identity, then by a *verified* email (the link to a
        # login an administrator created).
        if sociallogin.is_existing:
            # Returning users: roles and the Person link follow the IdP on every sign-in.
            sso.apply_identity(sociallogin.user, sociallogin)
            return
        from vpportal.sso_views import refuse_new_login

        refuse_new_login(request, sociallogin)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        from vpportal.sso_views import on_authentication_error

        on_authentication_error(request, provider, error=error, exception=exception, extra_context=extra_context)

    def save_user(self, request, sociallogin, form=None):
        # First sign-in (or the first SSO sign-in of an existing login, connected by email).
        user = super().save_user(request, sociallogin, form)
        sso.apply_identity(user, sociallogin)
        return user


def axes_username(request, credentials):
    """The name axes counts failures against: the ACCOUNT the typed identifier names (its username,
    lowercased), so failures typed as `NoRole`, `norole` or `no.role@example.com` all count for, and
    lock, the same account. An identifier that names no account is counted as typed (lowercased)."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    typed = (value or "").strip()
    if not typed:
        return None
    return account_name(typed) or typed.lower()


def account_name(identifier: str) -> str | None:
    """The lowercased username of the account `identifier` (a username or an e-mail address, in any
    case) signs in as, the way allauth's login form resolves it; None when it names none."""
    users = filter_users_by_email(identifier) if "@" in identifier else []
    if not users:
        users = list(filter_users_by_username(identifier).order_by("pk")[:1])
    return users[0].username.lower() if users else None
