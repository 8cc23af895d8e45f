"""API router of the foundation (people, the caller's tokens), merged into /api/v1/ by
leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from vpportal.events.api import EventViewSet
from vpportal.people.api import PersonViewSet

from .tokens import TokenViewSet

router = SimpleRouter()
router.register("people", PersonViewSet, basename="person")
router.register("auth/tokens", TokenViewSet, basename="token")
router.register("events", EventViewSet, basename="event")
