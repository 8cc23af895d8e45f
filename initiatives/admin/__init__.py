"""Admin of the initiatives app, one module per area (each registers its models)."""

from importlib import import_module

for _module in ("initiatives.admin.portfolio", "initiatives.admin.team"):
    try:
        import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
