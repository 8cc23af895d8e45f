// The identity provider of the SSO tests: `oidc-provider` (an OpenID Certified implementation),
// configured like a company IdP, on a free loopback port. Started once per test session by
// tests/sso/provider.py, which reads the first line this prints: {"issuer": ..., "control": ...}.
//
// Two servers:
// - the provider itself (discovery, authorize, token, userinfo, JWKS, end-session) plus the sign-in
//   form a company IdP shows (its "interactions": username, password, Continue or Cancel);
// - a control server on another port for the tests, to set the accounts, the client, rotate the
//   signing key, publish a JWKS the tokens do not match, skew the provider's clock, take the
//   provider down (its port then refuses connections) and up again, or drop the connections of one
//   endpoint.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const realNow = Date.now;
let skewSeconds = 0;
// The provider's clock: everything it stamps (iat, exp, auth_time) follows it.
Date.now = () => realNow() + skewSeconds * 1000;

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function publicPart({ d, p, q, dp, dq, qi, ...rest }) {
  return rest;
}

const state = {
  accounts: new Map(), // username -> { password, claims }
  client: null,
  keys: [signingKey()],
  decoyJwks: null, // when set, the JWKS endpoint publishes these keys instead of the signing keys
  brokenPaths: new Set(), // requests to these paths get their connection dropped (an endpoint down)
  requests: [], // [method, path] of every request the provider answered
};

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function loginForm(uid, { error = '', username = '' } = {}) {
  const alert = error ? `<p role="alert">${escape(error)}</p>` : '';
  return page('Company identity provider', `${alert}
    <form method="post" action="/authorize/interaction/${uid}/login">
      <label for="username">IdP username</label><input id="username" name="username" value="${escape(username)}">
      <label for="password">IdP password</label><input id="password" name="password" type="password">
      <button type="submit">Continue</button>
    </form>
    <form method="post" action="/authorize/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

function accountId(username) {
  return `sub-${username}`;
}

function build(issuer) {
  const provider = new Provider(issuer, {
    clients: state.client ? [state.client] : [],
    jwks: { keys: state.keys },
    // Every claim a company IdP sends for these scopes; `groups` is a scope of its own, as at Okta.
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    async findAccount(ctx, sub) {
      const entry = [...state.accounts.entries()].find(([username]) => accountId(username) === sub);
      if (!entry) return undefined;
      return { accountId: sub, async claims() { return { sub, ...entry[1].claims }; } };
    },
    // The portal is a first-party application: the user is never asked to consent.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      await grant.save();
      return grant;
    },
    // PKCE on every authorization request, confidential clients included.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of the company identity provider?',
            `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You are signed out of the company identity provider.</p>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Identity provider error', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
    // A company IdP's own paths differ from the package defaults: discovery tells the portal.
    routes: { authorization: '/authorize', userinfo: '/userinfo', end_session: '/logout' },
    // The sign-in form lives under the authorize path, where a browser expects a company IdP's form.
    interactions: { url: (ctx, interaction) => `/authorize/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key-not-secret'] },
    ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
  });
  // The JWKS endpoint answers a decoy key set when the test asks for one (a token signed with a
  // key the JWKS does not publish).
  provider.use(async (ctx, next) => {
    state.requests.push([ctx.method, ctx.path]);
    await next();
    if (ctx.path === '/jwks' && state.decoyJwks) ctx.body = { keys: state.decoyJwks };
  });
  return provider;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

// The sign-in form: the part of a company IdP that is not the protocol.
async function interaction(provider, req, res) {
  const url = new URL(req.url, 'http://x');
  const [, , , uid, action] = url.pathname.split('/'); // /authorize/interaction/<uid>[/<action>]
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    return send(res, 400, page('Sign-in expired', `<p>${escape(error.message)}</p>`));
  }
  if (details.uid !== uid) return send(res, 400, page('Sign-in expired', ''));
  if (req.method === 'GET' && !action) {
    state.requests.push(['GET', '/interaction']);
    return send(res, 200, loginForm(uid));
  }
  if (req.method === 'POST' && action === 'abort') {
    state.requests.push(['POST', '/interaction/abort']);
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'login') {
    state.requests.push(['POST', '/interaction/login']);
    const form = new URLSearchParams(await readBody(req));
    const username = form.get('username') || '';
    const account = state.accounts.get(username);
    if (!account || account.password !== form.get('password')) {
      return send(res, 200, loginForm(uid, { error: 'Wrong username or password.', username }));
    }
    return provider.interactionFinished(req, res, { login: { accountId: accountId(username) } }, {
      mergeWithLastSubmission: false,
    });
  }
  return send(res, 404, page('Not found', ''));
}

const publicServer = http.createServer();
let port = 0;
let issuer = '';
let provider = null;

publicServer.on('request', (req, res) => {
  if (state.brokenPaths.has(new URL(req.url, 'http://x').pathname)) {
    req.socket.destroy();
    return;
  }
  if (req.url === '/favicon.ico') { // browsers ask; answering keeps their console clean
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.url.startsWith('/authorize/interaction/')) {
    interaction(provider, req, res).catch((error) => send(res, 500, page('Error', escape(error.message))));
    return;
  }
  provider.callback()(req, res);
});

function listen() {
  return new Promise((resolve) => publicServer.listen(port, HOST, resolve));
}

function goDown() {
  return new Promise((resolve) => {
    if (!publicServer.listening) return resolve();
    publicServer.close(() => resolve());
    publicServer.closeAllConnections();
  });
}

// --- control API (JSON over HTTP, for the tests only) ---------------------------------------------

const control = {
  async 'POST /reset'(body) {
    state.accounts.clear();
    state.client = body.client;
    state.decoyJwks = null;
    state.brokenPaths.clear();
    state.requests = [];
    skewSeconds = 0;
    if (!publicServer.listening) await listen();
    provider = build(issuer);
    return {};
  },
  async 'PUT /account'(body) {
    state.accounts.set(body.username, { password: body.password, claims: body.claims });
    return {};
  },
  async 'POST /rotate-key'() {
    // The new key signs from now on; the old one is withdrawn from the JWKS (a provider restarted
    // with its rotated key set, as after a key compromise).
    state.keys = [signingKey()];
    provider = build(issuer);
    return { kid: state.keys[0].kid };
  },
  async 'POST /decoy-jwks'(body) {
    // Publish a key that did not sign the tokens: under the signing key's own kid, or a new kid.
    const decoy = publicPart(signingKey());
    if (body.same_kid) decoy.kid = state.keys[0].kid;
    state.decoyJwks = [decoy];
    return {};
  },
  async 'POST /clock'(body) {
    skewSeconds = body.skew_seconds;
    return {};
  },
  async 'POST /down'() {
    await goDown();
    return {};
  },
  async 'POST /break'(body) {
    // One endpoint down while the rest answers (a token endpoint behind a failing load balancer).
    body.paths.forEach((path) => state.brokenPaths.add(path));
    return {};
  },
  async 'POST /up'() {
    if (!publicServer.listening) await listen();
    return {};
  },
  async 'GET /requests'() {
    return { requests: state.requests };
  },
  async 'GET /jwks'() {
    return { keys: state.keys.map(publicPart) };
  },
};

const controlServer = http.createServer(async (req, res) => {
  const handler = control[`${req.method} ${new URL(req.url, 'http://x').pathname}`];
  if (!handler) return send(res, 404, '{}', 'application/json');
  try {
    const raw = await readBody(req);
    const result = await handler(raw ? JSON.parse(raw) : {});
    return send(res, 200, JSON.stringify(result), 'application/json');
  } catch (error) {
    return send(res, 500, JSON.stringify({ error: error.message }), 'application/json');
  }
});

await listen();
port = publicServer.address().port;
issuer = `http://${HOST}:${port}`;
provider = build(issuer);
await new Promise((resolve) => controlServer.listen(0, HOST, resolve));
process.stdout.write(`${JSON.stringify({ issuer, control: `http://${HOST}:${controlServer.address().port}` })}\n`);

// Stop with the test session: on SIGTERM, or when the parent closes our stdin.
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
