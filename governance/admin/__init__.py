"""Admin of the governance app, one module per area (each registers its models)."""

from governance.admin import incidents, policies, risks  # noqa: F401  (importing registers the models)
