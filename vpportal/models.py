"""Models of the portal-wide app: people (the tracked base lives in vpportal.core)."""

from vpportal.people.models import Person

__all__ = ["Person"]
