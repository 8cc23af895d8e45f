"""Webhook signing secrets encrypted at rest (cryptography's Fernet: AES-128-CBC and HMAC-SHA256).

The keys come from settings: WEBHOOK_SECRET_KEYS, a list of Fernet keys (`Fernet.generate_key()`),
the first encrypts, every one decrypts (MultiFernet), so a key is rotated by putting the new one first
and re-saving (`manage.py rotate_webhook_keys`). Unset, one key is derived from SECRET_KEY (HKDF),
which ties the stored secrets to SECRET_KEY: production sets WEBHOOK_SECRET_KEYS."""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A Fernet token starts with its version byte 0x80: "gAAAAA" in URL-safe base64.
TOKEN_PREFIX = "gAAAAA"


def derived_key(secret_key: str) -> bytes:
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vpportal-webhook-secrets")
    return base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    try:
        fernets = [Fernet(k.encode()) for k in keys] or [Fernet(derived_key(secret_key))]
    except ValueError as exc:
        raise ImproperlyConfigured(f"WEBHOOK_SECRET_KEYS: each key must be a Fernet key ({exc}).") from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "WEBHOOK_SECRET_KEYS", ()) or ()), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    """The plain secret; a value none of the keys opens is an error, never passed through."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored webhook secret cannot be decrypted with WEBHOOK_SECRET_KEYS (or the key derived "
            "from SECRET_KEY): the key it was encrypted with is missing."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt with the first key."""
    return fernet().rotate(token.encode()).decode() if token else ""
