"""HTTP servers of our own on a free loopback port, each served from a daemon thread: the webhook
receivers and the model registry's failure gate of the tests, and the receivers the benchmarks
deliver to (benchmarks/webhooks.py, benchmarks/scaleout.py)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that reads the request's body whole and logs nothing."""

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def log_message(self, *args):
        pass


class Loopback:
    """`handler` served at `url` (http://127.0.0.1:<a free port>) until `close()`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
