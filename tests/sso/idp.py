"""A small but real OpenID Connect provider for the SSO tests, served over HTTP on 127.0.0.1.

It implements the authorization-code flow the way a company IdP does: discovery, an authorize
endpoint with its own sign-in form, a token endpoint (client secret by POST or Basic, PKCE S256,
single-use codes bound to the redirect URI), userinfo with bearer tokens, a JWKS with the RSA key
that signs the ID tokens (RS256), and an end-session endpoint. Nothing in the portal is mocked: the
portal talks to it with its real HTTP client.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class IdentityUser:
    username: str
    password: str
    email: str
    name: str
    groups: list[str] = field(default_factory=list)

    @property
    def sub(self) -> str:
        return "sub-" + hashlib.sha256(self.username.encode()).hexdigest()[:16]


class TestIdentityProvider:
    """Start with `start()`, stop with `stop()`; `issuer` is its base URL."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, client_id: str, client_secret: str):
        self.client_id = client_id
        self.client_secret = client_secret
        self.users: dict[str, IdentityUser] = {}
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) the portal and browser sent
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_user(self, username, password, *, email, name, groups=()):
        self.users[username] = IdentityUser(username, password, email, name, list(groups))
        return self.users[username]

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # --- protocol -------------------------------------------------------------------------------

    def discovery(self) -> dict:
        base = self.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "groups"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "preferred_username", "groups"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def claims(self, user: IdentityUser) -> dict:
        return {
            "sub": user.sub,
            "email": user.email,
            "email_verified": True,
            "name": user.name,
            "preferred_username": user.username,
            "groups": list(user.groups),
        }

    def id_token(self, user: IdentityUser, nonce: str | None) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **self.claims(user)}
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def _send(self, status, body=b"", content_type="application/json", headers=None):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                elif isinstance(body, str):
                    body = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def do_GET(self):
                url = urlparse(self.path)
                idp.requests.append(("GET", url.path))
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._send(200, idp.discovery())
                if url.path == "/jwks":
                    return self._send(200, idp.jwks())
                if url.path == "/authorize":
                    error = idp.check_authorize(query)
                    if error:
                        return self._send(400, {"error": error})
                    return self._send(200, idp.login_page(query), "text/html; charset=utf-8")
                if url.path == "/userinfo":
                    token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                    grant = idp.access_tokens.get(token)
                    if not grant or grant["expires"] < time.time():
                        return self._send(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": "Bearer"})
                    return self._send(200, idp.claims(idp.users[grant["username"]]))
                if url.path == "/favicon.ico":  # browsers ask; answering keeps their console clean
                    return self._send(204, content_type="image/x-icon")
                if url.path == "/logout":
                    target = query.get("post_logout_redirect_uri")
                    if target:
                        return self._send(302, headers={"Location": target})
                    return self._send(200, "<p>Signed out of the identity provider.</p>", "text/html")
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                url = urlparse(self.path)
                idp.requests.append(("POST", url.path))
                form = self._form()
                if url.path == "/authorize":
                    error = idp.check_authorize(form)
                    if error:
                        return self._send(400, {"error": error})
                    user = idp.users.get(form.get("username", ""))
                    if user is None or not secrets.compare_digest(user.password, form.get("password", "")):
                        return self._send(
                            200, idp.login_page(form, error="Wrong username or password."), "text/html; charset=utf-8"
                        )
                    code = secrets.token_urlsafe(24)
                    idp.codes[code] = {
                        "username": user.username,
                        "redirect_uri": form["redirect_uri"],
                        "nonce": form.get("nonce"),
                        "code_challenge": form.get("code_challenge"),
                        "expires": time.time() + 60,
                    }
                    params = {"code": code}
                    if form.get("state"):
                        params["state"] = form["state"]
                    sep = "&" if "?" in form["redirect_uri"] else "?"
                    return self._send(302, headers={"Location": f"{form['redirect_uri']}{sep}{urlencode(params)}"})
                if url.path == "/token":
                    status, body = idp.exchange(form, self.headers.get("Authorization"))
                    return self._send(status, body)
                return self._send(404, {"error": "not_found"})

        return Handler

    def check_authorize(self, params: dict) -> str | None:
        if params.get("client_id") != self.client_id:
            return "unauthorized_client"
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if "openid" not in (params.get("scope") or "").split():
            return "invalid_scope"
        if not params.get("redirect_uri", "").startswith(
            ("http://testserver/", "http://localhost", "http://127.0.0.1")
        ):
            return "invalid_redirect_uri"
        return None

    def login_page(self, params: dict, error: str = "") -> str:
        keep = {k: v for k, v in params.items() if k not in ("username", "password")}
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in keep.items()
        )
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        return (
            "<!doctype html><html><head><title>Test IdP sign-in</title></head><body>"
            f"<h1>Company identity provider</h1>{alert}"
            f'<form method="post" action="/authorize">{hidden}'
            '<label for="username">IdP username</label><input id="username" name="username">'
            '<label for="password">IdP password</label><input id="password" name="password" type="password">'
            '<button type="submit">Continue</button></form></body></html>'
        )

    def exchange(self, form: dict, authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or not secrets.compare_digest(client_secret or "", self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["expires"] < time.time() or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        user = self.users[grant["username"]]
        access = secrets.token_urlsafe(24)
        self.access_tokens[access] = {"username": user.username, "expires": time.time() + 300}
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(user, grant["nonce"]),
            "scope": "openid profile email",
        }
