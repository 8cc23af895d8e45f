"""API tokens: created, listed and revoked by their owner only. Knox stores only a hash.

Every token expires: `API_TOKEN_DEFAULT_DAYS` (90) unless its owner chooses otherwise, at most
MAX_EXPIRY_DAYS (365). A call authenticated by a token may create tokens only when that token was
created with `can_create_tokens`; what it creates never outlives it, and revoking it revokes them.
Revoking a user's access (deactivation, a new password, a role removed) revokes all their tokens
(`revoke_all`, wired to the user model's signals in vpportal.people.signals). A request reads its
token once (`TokenAuthentication`); expired tokens are deleted by `prune_expired` (celery beat).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from knox.signals import token_expired

from .token_grants import TokenGrant

MAX_EXPIRY_DAYS = 365
MSG_NO_TOKEN_RIGHT = (
    "This token may not create tokens: create one on the API tokens page, or use a token created "
    "with `can_create_tokens`."
)


def default_expiry_days() -> int:
    return getattr(settings, "API_TOKEN_DEFAULT_DAYS", 90)


def tokens_of(user):
    return AuthToken.objects.filter(user=user).select_related("grant").order_by("-created")


def may_create_tokens(caller_token) -> bool:
    """`caller_token`: the AuthToken that authenticated the request, None for a session."""
    if caller_token is None:
        return True
    grant = TokenGrant.objects.filter(token=caller_token).first()
    return bool(grant and grant.can_create_tokens)


@transaction.atomic
def token_create(
    *, user, expiry_days: int | None = None, can_create_tokens: bool = False, caller_token=None
) -> tuple[AuthToken, str]:
    """Returns the stored token and the clear key, which is shown once and never again.

    `caller_token`: the token the request was authenticated with (None for a signed-in session).
    """
    if not may_create_tokens(caller_token):
        raise PermissionDenied(MSG_NO_TOKEN_RIGHT)
    days = default_expiry_days() if expiry_days is None else int(expiry_days)
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise ValidationError({"expiry_days": f"Choose between 1 and {MAX_EXPIRY_DAYS} days."})
    expiry = timedelta(days=days)
    if caller_token is not None and caller_token.expiry is not None:
        expiry = min(expiry, caller_token.expiry - timezone.now())  # a child never outlives its parent
    instance, key = AuthToken.objects.create(user=user, expiry=expiry)
    TokenGrant.objects.create(token=instance, can_create_tokens=can_create_tokens, parent=caller_token)
    return instance, key


def _with_descendants(token_ids: list) -> list:
    """The tokens' primary keys and those of every token they created, at any depth."""
    found, frontier = [], list(token_ids)
    while frontier:
        found += frontier
        frontier = list(
            TokenGrant.objects.filter(parent__in=frontier).exclude(token__in=found).values_list("token", flat=True)
        )
    return found


@transaction.atomic
def token_revoke(*, user, token_key: str, caller_token=None) -> bool:
    """Revoke one of `user`'s tokens and every token it created; a token call needs the right."""
    ids = list(AuthToken.objects.filter(user=user, token_key=token_key).values_list("pk", flat=True))
    if not ids:
        return False  # not one of theirs: 404 whoever asks
    if not may_create_tokens(caller_token):
        raise PermissionDenied(MSG_NO_TOKEN_RIGHT)
    AuthToken.objects.filter(pk__in=_with_descendants(ids)).delete()
    return True


def revoke_all(user) -> int:
    """Revoke every token of `user` (their access was withdrawn or their password changed)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def is_expired(token: AuthToken) -> bool:
    return token.expiry is not None and token.expiry <= timezone.now()


def prune_expired(now=None) -> int:
    """Delete every expired token (celery beat, daily; idempotent): the sweep knox ran on each request."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication in one query (the token with its user). knox also reads all the
    user's other tokens on every request to delete the expired ones; here `prune_expired` does
    that on a schedule. An expired token is refused and deleted, as knox does."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True
