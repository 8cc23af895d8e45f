"""A throwaway PostgreSQL cluster for the load test, so it can restart PostgreSQL mid-load without
touching a shared server: initdb in a temporary directory, its own loopback port and socket
directory, started and restarted with pg_ctl, stopped and deleted on exit (also on an error, Ctrl-C
or SIGTERM, through the `with` block). Nothing is registered in /etc/postgresql.

PostgreSQL refuses to run as root, so as root the tools run as the `postgres` user.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bindir(explicit: str | None = None) -> Path:
    """The PostgreSQL server tools: `explicit`, else the newest Debian install, else the PATH."""
    if explicit:
        return Path(explicit)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: tuple(int(n) for n in Path(p).parts[-3].split(".") if n.isdigit()),
    )
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("pg_ctl")
    if not found:
        raise SystemExit("The load test needs the PostgreSQL server tools (initdb, pg_ctl): apt-get install postgresql")
    return Path(found).resolve().parent


class PrivateCluster:
    def __init__(self, port: int, bindir: Path):
        self.port, self.bindir = port, bindir
        try:
            self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        except KeyError:
            raise SystemExit(
                "As root the load test runs PostgreSQL as the 'postgres' user, which does not exist"
            ) from None
        self.home = Path(tempfile.mkdtemp(prefix="vp-load-pg-"))
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True):
        kwargs = {}
        if self.owner:
            kwargs = {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
        env = {**os.environ, "HOME": str(self.home), "LC_ALL": "C.UTF-8"}
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]], cwd=self.home, env=env, capture_output=True, text=True, **kwargs
        )
        if check and result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}{log}")
        return result

    def __enter__(self):
        try:
            if self.owner:
                os.chown(self.home, self.owner.pw_uid, self.owner.pw_gid)
            # --no-sync only skips flushing the fresh files once; the server itself runs with fsync on,
            # since lost acknowledged writes across a restart are what the test looks for.
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write(
                    f"\n# vp-load: a private server on loopback\nport = {self.port}\n"
                    f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{self.home}'\n"
                )
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc):
        self.destroy()

    def restart(self, mode: str = "fast", down_seconds: float = 0):
        """Stop (`mode`: fast ends sessions and checkpoints, immediate is a crash that recovers from
        the WAL), stay down `down_seconds` (connections are refused meanwhile), start again."""
        if not down_seconds:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "restart")
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        time.sleep(down_seconds)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def destroy(self):
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.home, ignore_errors=True)
