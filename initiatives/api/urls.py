"""API router of the initiatives app, merged into /api/v1/ by vpportal.api.urls."""

from importlib import import_module

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
for _module in ("initiatives.api.portfolio", "initiatives.api.team"):
    try:
        import_module(_module).register(router)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
