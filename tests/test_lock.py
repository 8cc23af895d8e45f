"""The lock files pin every dependency pyproject.toml names, at a version inside its range, so a
fresh machine installs exactly what was tested (`make lock` rewrites them after a change)."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / lock).read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            found[canonicalize_name(name.strip())] = version.split()[0]
    return found


def unpinned(requirements, locked) -> list[str]:
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name}: not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}: locked {version}, outside {requirement.specifier}")
    return problems


def test_the_runtime_lock_pins_every_runtime_dependency_inside_its_range():
    assert unpinned(PROJECT["dependencies"], pins("requirements.lock")) == []


def test_the_dev_lock_pins_every_dependency_inside_its_range():
    everything = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["dev"]]
    assert unpinned(everything, pins("requirements-dev.lock")) == []


def test_the_runtime_lock_pins_what_the_dev_lock_pins():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}
