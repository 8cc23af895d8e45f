"""The session engine: Django's database sessions, refusing cookie values that are no key of ours.

Django makes session keys of lower-case letters and digits; any other cookie value is treated as no
session at all, never looked up. A forged cookie holding a NUL byte was otherwise sent to the
database, and PostgreSQL refuses NUL in a text parameter (a 500 on any page or API call that reads
the session, such as the time-zone middleware's)."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()
