"""API tokens: created, listed and revoked by their owner only. Knox stores only a hash."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.models import AuthToken

MAX_EXPIRY_DAYS = 366


def tokens_of(user):
    return AuthToken.objects.filter(user=user).order_by("-created")


def token_create(*, user, expiry_days: int | None = None) -> tuple[AuthToken, str]:
    """Returns the stored token and the clear key, which is shown once and never again."""
    if expiry_days is not None:
        if not 1 <= int(expiry_days) <= MAX_EXPIRY_DAYS:
            raise ValidationError({"expiry_days": f"Choose between 1 and {MAX_EXPIRY_DAYS} days, or no expiry."})
        expiry = timedelta(days=int(expiry_days))
    else:
        expiry = None
    return AuthToken.objects.create(user=user, expiry=expiry)


def token_revoke(*, user, token_key: str) -> bool:
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def is_expired(token: AuthToken) -> bool:
    return token.expiry is not None and token.expiry <= timezone.now()
