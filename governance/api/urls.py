"""API router of the governance app, merged into /api/v1/ by vpportal.api.urls."""

from importlib import import_module

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
for _module in ("governance.api.policies", "governance.api.risks"):
    try:
        import_module(_module).register(router)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
