"""Models of the portal-wide app: people (the tracked base lives in vpportal.core) and the
bookkeeping of the reminder digest."""

from vpportal.digests.models import DigestEntry
from vpportal.people.models import Person
from vpportal.people.token_grants import TokenGrant

__all__ = ["Person", "DigestEntry", "TokenGrant"]
