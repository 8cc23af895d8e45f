"""A real MLflow tracking server for the model-registry tests and the benchmark: `mlflow server`
(the `mlflow` dev dependency) on a free loopback port, its SQLite backend store in a temporary
folder, started once and stopped at the end. `Gate` stands between the portal and the server to
make it fail on cue (down, a 5xx answer, a token demanded): the answers that do arrive are the
real server's."""

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from tests.loopback import Loopback, QuietHandler
from tests.production.processes import free_port

STARTUP_SECONDS = 300  # a cold start migrates the store (about a minute on a busy 2-core machine)


class MlflowServer:
    @classmethod
    def running_or_started(cls):
        """A server of our own, or the one at VPPORTAL_TEST_MLFLOW_PORT (a developer's, kept across
        runs: a cold start takes a minute; every test empties its registry first)."""
        port = os.environ.get("VPPORTAL_TEST_MLFLOW_PORT")
        return External(int(port)) if port else cls()

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="mlflow-test-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.folder, "server.log"), "wb")  # noqa: SIM115 (closed in stop)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DJANGO_", "PYTEST"))}
        # No job runner beside the server: the registry needs none, and it is one more Python
        # process taking CPU for the whole test session.
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "server",
                "--backend-store-uri",
                f"sqlite:///{self.folder}/mlflow.db",
                "--default-artifact-root",
                f"{self.folder}/artifacts",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # stopped with its workers as one process group
        )
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                with open(self.log.name) as log:
                    raise RuntimeError(f"mlflow server exited: {log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("mlflow server did not start in time")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class External:
    def __init__(self, port: int):
        self.port, self.url = port, f"http://127.0.0.1:{port}"

    def stop(self):
        pass


class Gate:
    """A loopback HTTP proxy to the real server. `down` refuses every request (the connection is
    cut); `fail_next[path_part] = n` answers 503 to the next n requests whose path contains it;
    `down_after = n` lets n more requests through, then goes down; `token` demands
    `Authorization: Bearer <token>` (401 otherwise). `seen` records the paths asked."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.down = False
        self.down_after = None
        self.fail_next: dict[str, int] = {}
        self.token = None
        self.seen: list[str] = []
        self.lock = threading.Lock()
        gate = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                body = self.body()
                with gate.lock:
                    gate.seen.append(self.path)
                    if gate.down_after is not None:
                        if gate.down_after <= 0:
                            gate.down = True
                        gate.down_after -= 1
                    down = gate.down
                    failing = next((p for p, n in gate.fail_next.items() if n > 0 and p in self.path), None)
                    if failing:
                        gate.fail_next[failing] -= 1
                if down:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if failing:
                    return self._answer(503, b'{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "try again"}')
                if gate.token and self.headers.get("Authorization") != f"Bearer {gate.token}":
                    return self._answer(401, b'{"error_code": "UNAUTHENTICATED", "message": "token required"}')
                upstream = http.client.HTTPConnection("127.0.0.1", gate.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                self._answer(answer.status, answer.read(), answer.getheader("Content-Type", "application/json"))
                upstream.close()

            def _answer(self, status, payload, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self.http = Loopback(Handler)
        self.url = self.http.url

    def reset(self):
        with self.lock:
            self.down, self.down_after, self.token = False, None, None
            self.fail_next.clear()
            self.seen.clear()

    def close(self):
        self.http.close()
