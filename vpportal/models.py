"""Models of the foundation: people (the tracked base lives in vpportal.core)."""

from vpportal.people.models import Person

__all__ = ["Person"]
