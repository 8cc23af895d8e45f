"""Admin of the initiatives app, one module per area (each registers its models)."""

from initiatives.admin import portfolio, team  # noqa: F401  (importing registers the models)
