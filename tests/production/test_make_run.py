"""`make run` serves with a Celery worker and beat beside runserver, and Ctrl-C stops all of them.

`make run` is `make demo` (install, migrate, seed) then `make serve`; this runs `make serve` as a
person does: typed into an interactive shell on a terminal, the shell leading the terminal's session
and giving `make` the terminal's foreground, then Ctrl-C typed, so the kernel sends SIGINT to the
foreground job exactly as it does on a laptop. Afterwards nothing of the session may remain but the
shell: not runserver or its autoreloader child, not the worker or its pool, not beat, not the recipe's
own shell. It serves a copy of the migrated database on a free port, with its own embedded-broker
folder (no Redis, as on a laptop), and is started once.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.production.processes import ROOT, free_port, migrated_database, production_env
from tests.workers import wait_for

START_TIMEOUT = 240  # two Django processes and a Celery worker starting on a loaded machine
STOP_TIMEOUT = 90  # a warm shutdown of an idle worker, runserver's exit


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    session: int
    argv: tuple[str, ...]

    def runs(self, program: str, *args: str) -> bool:
        """Whether this is `program` (a file name, run directly or by python) with `args` in order."""
        names = [Path(arg).name for arg in self.argv[:2]]
        if program not in names:
            return False
        rest = list(self.argv[names.index(program) + 1 :])
        return any(rest[i : i + len(args)] == list(args) for i in range(len(rest)))


def session_processes(session: int) -> dict[int, Process]:
    """Every process of the session `session` (from /proc), zombies included."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            argv = tuple(Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1])
        except OSError:  # exited while we looked
            continue
        # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session:
            found[int(entry)] = Process(int(entry), int(fields[1]), session, argv)
    return found


# Run in the new session before bash (a small Python that execs it, so no preexec_fn in this
# threaded process): the session's controlling terminal is its stdin, the pty; SIGINT and SIGQUIT as
# by default even if this test process inherited them ignored (run in the background), as a terminal
# window's shell has them.
TAKE_TERMINAL = (
    "import fcntl, os, signal, sys, termios;"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0);"
    "signal.signal(signal.SIGINT, signal.SIG_DFL);"
    "signal.signal(signal.SIGQUIT, signal.SIG_DFL);"
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


class Terminal:
    """An interactive bash on a pseudo-terminal of its own; what it prints is kept in `output`."""

    def __init__(self, env: dict):
        self.master, slave = os.openpty()
        self.shell = subprocess.Popen(
            [sys.executable, "-c", TAKE_TERMINAL, "bash", "--norc", "--noprofile", "--noediting", "-i"],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        """Drains the terminal (a full pty buffer would block runserver's request log)."""
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the terminal is gone
                return
            if not chunk:
                return
            self.output += chunk

    def type(self, keys: bytes):
        os.write(self.master, keys)

    def others(self) -> dict[int, Process]:
        """The session's processes but the shell: what the typed command started."""
        return {pid: p for pid, p in session_processes(self.shell.pid).items() if pid != self.shell.pid}

    def tail(self) -> str:
        return bytes(self.output[-4000:]).decode(errors="replace")

    def close(self):
        """Kills whatever the session still holds (a failed test's leftovers, by pid), then the shell."""
        for pid in self.others():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.shell.kill()
        self.shell.wait(30)
        os.close(self.master)


def children(processes: dict[int, Process], parent: int) -> list[Process]:
    return [p for p in processes.values() if p.ppid == parent]


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """`make serve` typed into a terminal's shell, once it answers over HTTP and its worker runs its
    pool and beat: (terminal, port, queue folder)."""
    tmp = tmp_path_factory.mktemp("make-run")
    queue = tmp / "celery"
    env = production_env(tmp, DATABASE_URL=migrated_database(tmp_path_factory, tmp), CELERY_QUEUE_DIR=str(queue))
    # As on a laptop: the embedded broker, the local-memory cache (the Makefile sets DEBUG and DEMO_MODE).
    for key in ("CELERY_BROKER_URL", "CELERY_QUEUE", "CACHE_URL"):
        env.pop(key, None)
    # Not a sub-make of `make test`: its job server's descriptors are not passed on.
    env = {key: value for key, value in env.items() if not key.startswith(("MAKE", "MFLAGS"))}
    env.update(TERM="dumb", PS1="vp$ ", HISTFILE="/dev/null")
    port = free_port()
    terminal = Terminal(env)
    # The venv this test runs in is the one `make` would use (.venv/bin in a checkout).
    terminal.type(f"make --no-print-directory serve BIN={Path(sys.executable).parent} PORT={port}\n".encode())
    try:
        yield terminal, port, queue
    finally:
        terminal.close()


def roles(processes: dict[int, Process]) -> dict[str, list[Process]]:
    """runserver (the autoreloader and the server it runs), the worker (and its children: the pool
    and the embedded beat) among `processes`."""
    servers = [p for p in processes.values() if p.runs("manage.py", "runserver")]
    workers = {p.pid: p for p in processes.values() if p.runs("celery", "-A", "vpportal", "worker")}
    main_workers = [p for p in workers.values() if p.ppid not in workers]
    return {
        "runserver": servers,
        "worker": main_workers,
        "worker children": [c for w in main_workers for c in children(processes, w.pid)],
    }


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/?format=json", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_make_serve_runs_runserver_a_worker_and_beat_and_ctrl_c_stops_all_of_them(serving):
    terminal, port, queue = serving

    def started():
        if not answers(port):
            return None
        found = roles(terminal.others())
        ready = (
            len(found["runserver"]) == 2  # the autoreloader and its server
            and len(found["worker"]) == 1
            and len(found["worker children"]) >= 3  # `-c 2` pool processes and the embedded beat
            and any(queue.glob("beat-schedule*"))  # beat has opened its schedule
        )
        return found if ready else None

    found = wait_for(started, timeout=START_TIMEOUT, interval=0.5)
    assert found, f"make serve did not start its processes: {roles(terminal.others())}\n{terminal.tail()}"
    before = terminal.others()

    terminal.type(b"\x03")  # Ctrl-C

    left = wait_for(lambda: not terminal.others(), timeout=STOP_TIMEOUT, interval=0.5)
    survivors = terminal.others()
    assert left, f"still running after Ctrl-C: {list(survivors.values())}\nstarted: {before}\n{terminal.tail()}"
    assert not answers(port)
    # make ends as interrupted (status 130: killed by SIGINT once its recipe stopped), not by a TERM
    # of its own process group or a crash of the recipe's shell.
    terminal.type(b'echo "make exited $?"\n')
    status = wait_for(lambda: re.search(rb"make exited (\d+)", terminal.output), timeout=30)
    assert status and status[1] == b"130", terminal.tail()
