"""Builds what the production-profile tests share (tests/production/processes.py), in the background
of a test run: `python -m tests.production.prepare <the run's shared folder>`. A worker that needs an
artifact before it is ready waits on its lock; one that asked first builds it itself (this then finds
it built)."""

import sys
from pathlib import Path

from tests.production.processes import BUILDERS, prepared


def main(shared: Path) -> None:
    for name in BUILDERS:
        try:
            prepared(shared, name)
        except AssertionError as error:  # the worker that needs it builds it again and reports the error
            print(f"{name}: {error}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
