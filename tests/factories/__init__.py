"""Factories of each area's records (factory_boy), one module per area."""

from importlib import import_module

# Each factories module may define `seed_api_data()`, creating a few records of its area so that
# detail and action operations hit real rows.
SEED_MODULES = (
    "tests.factories.portfolio",
    "tests.factories.team",
    "tests.factories.policies",
    "tests.factories.risks",
    "tests.factories.incidents",
    "tests.factories.integrations",
    "tests.factories.evidence",
)


def seed_everything():
    """A few records of every area (what the API's fuzz and boundary tests write to and read)."""
    for name in SEED_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.seed_api_data()
