"""The SSO tests' identity provider: the npm package `oidc-provider` (OpenID Certified), run by Node
from tests/sso/provider.mjs on free loopback ports, once per test session (each xdist worker runs
its own, so no port or state is shared between workers).

`CertifiedProvider` starts and stops the process and drives its control server: the accounts a
test signs in with, the portal's client registration, and the failures a company IdP has in
production (down, rotated key, a JWKS that does not match the tokens, a skewed clock).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
INSTALL_HINT = "run `make test` once, or `npm ci --prefix tests/sso`"
START_TIMEOUT_SECONDS = 30


class ProviderNotInstalled(RuntimeError):
    pass


class IdpAccount:
    """An account at the provider; assigning an attribute (`account.groups = [...]`) updates the
    provider at once, as an administrator changing the directory would."""

    _fields = ("password", "email", "name", "groups", "email_verified")

    def __init__(self, provider: CertifiedProvider, username: str, **values):
        object.__setattr__(self, "_provider", provider)
        object.__setattr__(self, "username", username)
        for name in self._fields:
            object.__setattr__(self, name, values[name])
        self._push()

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if name in self._fields:
            self._push()

    @property
    def sub(self) -> str:
        return f"sub-{self.username}"

    def _push(self):
        claims = {
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
            "preferred_username": self.username,
            "groups": list(self.groups),
        }
        self._provider.control("PUT", "/account", username=self.username, password=self.password, claims=claims)


class CertifiedProvider:
    __test__ = False

    def __init__(self):
        self.issuer = ""
        self.control_url = ""
        self._process: subprocess.Popen | None = None
        self._log = None
        self.users: dict[str, IdpAccount] = {}

    def start(self) -> CertifiedProvider:
        node = shutil.which("node")
        if node is None:
            raise ProviderNotInstalled(f"The SSO tests need Node.js 20 or newer on PATH ({INSTALL_HINT}).")
        if not (HERE / "node_modules" / "oidc-provider").is_dir():
            raise ProviderNotInstalled(f"The SSO tests' provider is not installed: {INSTALL_HINT}.")
        self._log = tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**os.environ, "NODE_ENV": "test"}
        self._process = subprocess.Popen(  # noqa: S603 - our own script, run by the node found on PATH
            [node, str(SCRIPT)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
        )
        line = self._read_first_line()
        ready = json.loads(line)
        self.issuer, self.control_url = ready["issuer"], ready["control"]
        return self

    def _read_first_line(self) -> str:
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=START_TIMEOUT_SECONDS):
            self.stop()
            raise RuntimeError(f"oidc-provider did not start; its log: {self._log.name}")
        line = self._process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(f"oidc-provider exited at start: {Path(self._log.name).read_text()[-2000:]}")
        return line

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    # --- control ---------------------------------------------------------------------------------

    def control(self, method: str, path: str, **body) -> dict:
        response = requests.request(method, self.control_url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self, *, client_id: str, client_secret: str, portal_origin: str, provider_id: str = "sso"):
        """A fresh provider for one test: no accounts, the portal registered as a confidential client
        with its callback and post-logout URLs, one signing key, the right time, up."""
        self.users.clear()
        self.control(
            "POST",
            "/reset",
            client={
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": [f"{portal_origin}/accounts/oidc/{provider_id}/login/callback/"],
                "post_logout_redirect_uris": [f"{portal_origin}/accounts/login/"],
                "token_endpoint_auth_method": "client_secret_post",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            },
        )

    def add_user(self, username, password, *, email, name, groups=(), email_verified=True) -> IdpAccount:
        account = IdpAccount(
            self,
            username,
            password=password,
            email=email,
            name=name,
            groups=list(groups),
            email_verified=email_verified,
        )
        self.users[username] = account
        return account

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request the provider answered since the test began."""
        return [tuple(item) for item in self.control("GET", "/requests")["requests"]]

    def rotate_key(self) -> str:
        return self.control("POST", "/rotate-key")["kid"]

    def publish_decoy_jwks(self, *, same_kid: bool) -> None:
        self.control("POST", "/decoy-jwks", same_kid=same_kid)

    def skew_clock(self, seconds: int) -> None:
        self.control("POST", "/clock", skew_seconds=seconds)

    def go_down(self) -> None:
        self.control("POST", "/down")

    def break_endpoint(self, path: str) -> None:
        """Connections to this path are dropped; the other endpoints keep answering."""
        self.control("POST", "/break", paths=[path])

    def come_up(self) -> None:
        self.control("POST", "/up")
