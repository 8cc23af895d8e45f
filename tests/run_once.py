"""Things a test run builds once and its xdist workers share: the migrated test database (copied for
each worker, tests/databases.py) and what the production-profile tests need (tests/production).

Each is built by the first process of the run that asks for it, under a file lock in the folder the
workers share; the others wait on the lock, then find it built.
"""

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def shared_dir(tmp_path_factory) -> Path:
    """The folder the workers of one run share (the controller's base temp), else this run's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(shared: Path, name: str, build: Callable[[Path], None]) -> Path:
    """`shared / name`, made by `build(partial)` now unless another process of the run made it: `build`
    writes `partial` (a file or a folder), which is renamed into place once complete. A failed build
    leaves nothing behind: the next one to ask builds it again and meets the error itself."""
    target = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            partial = shared / f"{name}.partial"
            if partial.is_dir():
                shutil.rmtree(partial)
            else:
                partial.unlink(missing_ok=True)
            build(partial)
            partial.rename(target)
    return target
