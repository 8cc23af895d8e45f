"""A real webhook receiver on loopback: verifies every request with the standardwebhooks package's own
`Webhook.verify` and records what arrived. `script` decides the answers (status, headers, a pause)."""

import threading

from standardwebhooks import Webhook

from tests.loopback import Loopback, QuietHandler


class Receiver:
    def __init__(self, secret: str | None = None):
        self.secrets = [secret] if secret else []
        self.received: list[dict] = []  # every request: id, verified, type, body
        self.script: list = []  # per request: a status, (status, headers) or a callable -> status
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, payload = receiver.verify(body, headers)
                with receiver.lock:
                    receiver.received.append(
                        {
                            "id": headers.get("webhook-id"),
                            "verified": verified,
                            "payload": payload,
                            "headers": headers,
                            "body": body,
                        }
                    )
                    step = receiver.script.pop(0) if receiver.script else 200
                if callable(step):
                    step = step()
                status, extra = step if isinstance(step, tuple) else (step, {})
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok" * 10)

        self.http = Loopback(Handler)
        self.url = f"{self.http.url}/hook"

    def verify(self, body: bytes, headers: dict):
        for secret in self.secrets:
            try:
                return True, Webhook(secret).verify(body, headers)
            except Exception:
                continue
        return False, None

    @property
    def verified_ids(self) -> list[str]:
        return [r["id"] for r in self.received if r["verified"]]

    def close(self):
        self.http.close()
