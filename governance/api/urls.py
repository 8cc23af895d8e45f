"""API router of the governance app, merged into /api/v1/ by leadership.api_urls."""

from rest_framework.routers import SimpleRouter

from governance.api import incidents, policies, risks

router = SimpleRouter()
policies.register(router)
risks.register(router)
incidents.register(router)
