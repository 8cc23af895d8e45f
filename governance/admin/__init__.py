"""Admin of the governance app, one module per area (each registers its models)."""

from governance.admin import policies, risks  # noqa: F401  (importing registers the models)
