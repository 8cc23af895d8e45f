"""The database session store, refusing a cookie that cannot be one of its keys before any query.

Django's keys are 32 characters of `[a-z0-9]`; any other cookie value (a NUL byte, 10 KB of text)
would reach the session table as a lookup, and PostgreSQL answers a NUL in a query with an error,
which became a 500 for a forged `sessionid` cookie. Such a cookie now counts as no session at all,
as an unknown key already does.

`keep()` is how the portal puts what a page reads into the session (the time zone, the greeting's
name)."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

KEY_LENGTH = 32
_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and 8 <= len(key) <= KEY_LENGTH and _VALID.issuperset(key)


def keep(request, key: str, value: str) -> None:
    """Keep `value` under `key` for the rest of the session (blank: drop it); a request without a
    session keeps nothing."""
    if hasattr(request, "session"):
        if value:
            request.session[key] = value
        else:
            request.session.pop(key, None)
