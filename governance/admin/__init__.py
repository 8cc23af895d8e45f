"""Admin of the governance app, one module per area (each registers its models)."""

from importlib import import_module

for _module in ("governance.admin.policies", "governance.admin.risks"):
    try:
        import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
