"""API router of the initiatives app, merged into /api/v1/ by leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from initiatives.api import portfolio, team

router = SimpleRouter()
portfolio.register(router)
team.register(router)
