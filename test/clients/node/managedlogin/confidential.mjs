// confidential.mjs is a server-side web app's sign-in with openid-client:
// a confidential client (client secret) runs the authorization code flow
// with PKCE against the local pool's managed login, then refreshes.
// The user's browser is played with fetch: GET the authorize URL, post the
// login form, follow the redirect back with the code.
//
// Input (JSON on stdin): {issuer, clientId, clientSecret, redirectUri, user, password}.
import * as client from 'openid-client';

const input = JSON.parse(await new Promise((res) => {
  let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => res(s));
}));
const out = (step, ok, detail = {}) => console.log(JSON.stringify({ step, ok, detail }));

try {
  const config = await client.discovery(new URL(input.issuer), input.clientId, input.clientSecret, undefined,
    { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri, scope: 'openid email', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  // The browser: authorize → login page → POST → redirect with the code.
  const cookies = new Map();
  const keep = (r) => { for (const c of r.headers.getSetCookie()) { const [kv] = c.split(';'); const i = kv.indexOf('='); cookies.set(kv.slice(0, i), kv.slice(i + 1)); } };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  let r = await fetch(url, { redirect: 'manual' });
  const loginURL = new URL(r.headers.get('location'), url);
  r = await fetch(loginURL, { headers: { cookie: cookie() } });
  keep(r);
  const csrf = (await r.text()).match(/name="_csrf" value="([^"]+)"/)[1];
  r = await fetch(loginURL, {
    method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username: input.user, password: input.password }),
  });
  const callback = new URL(r.headers.get('location'));

  const tokens = await client.authorizationCodeGrant(config, callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const claims = tokens.claims();
  out('code', true, { claims });
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  out('refresh', Boolean(refreshed.access_token && refreshed.id_token), { claims: refreshed.claims() });
  const info = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  out('userinfo', info.sub === claims.sub, { claims: info });
} catch (e) {
  out('error', false, { error: String(e && e.stack || e) });
  process.exitCode = 1;
}
