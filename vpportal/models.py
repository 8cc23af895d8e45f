"""Models of the foundation: people (the tracked base lives in vpportal.core)."""

from vpportal.people.models import Person
from vpportal.people.token_grants import TokenGrant

__all__ = ["Person", "TokenGrant"]
