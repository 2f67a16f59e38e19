// browser.mjs drives Debian's Chromium through playwright-core against a
// local pool's managed login, from the single-page app in index.html that
// signs in with oidc-client-ts (authorization code + PKCE).
//
// Input (JSON on stdin): {spa, endpoint, poolId, shots, legacy: {user,
// password}, wrong: {user, password}, forgot: {user, newPassword}}.
// Output: one JSON line per step: {step, ok, detail}.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const input = JSON.parse(await new Promise((res) => {
  let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => res(s));
}));
const out = (step, ok, detail = {}) => console.log(JSON.stringify({ step, ok, detail }));
const profile = mkdtempSync(join(tmpdir(), 'ferry-chromium-'));
// A fresh profile each run (playwright passes it as --user-data-dir).
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const shot = (page, name) => input.shots ? page.screenshot({ path: join(input.shots, name), fullPage: true }) : null;

async function outboxCode(user) {
  const r = await fetch(`${input.endpoint}/_ferry/outbox?pool=${input.poolId}`);
  const body = await r.json();
  const m = (body.messages || []).filter((x) => x.code && [x.username, x.destination].some((n) => (n || '').toLowerCase() === user.toLowerCase())).pop();
  if (!m) throw new Error(`no code for ${user} in the outbox: ${JSON.stringify(body)}`);
  return m.code;
}

async function signIn(page, user, password) {
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.press('#password', 'Enter'); // the keyboard, as a user would
}

try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(15000);

  // 1. A legacy user signs in through the login page and is migrated.
  await page.goto(input.spa);
  await page.click('#signin');
  await page.waitForSelector('#username');
  await shot(page, 'managed-login-signin.png');
  await signIn(page, input.legacy.user, input.legacy.password);
  await page.waitForFunction(() => document.getElementById('claims')?.textContent !== '' || document.getElementById('status')?.textContent !== '');
  const claims = await page.textContent('#claims');
  out('login', claims !== '', { claims: claims ? JSON.parse(claims) : null, error: await page.textContent('#status') });

  // 2. Logout clears the session: signing in again shows the login page.
  await page.click('#signout');
  await page.waitForURL(new URL('/', input.spa).href);
  await page.click('#signin');
  await page.waitForSelector('#username');
  out('logout', true, { got: page.url() });

  // 3. A wrong password shows Cognito's message and creates nobody.
  await signIn(page, input.wrong.user, input.wrong.password);
  await page.waitForSelector('#error');
  const message = (await page.textContent('#error')).trim();
  await shot(page, 'managed-login-error.png');
  out('wrong-password', true, { message });

  // 4. A legacy user resets a forgotten password through the pages.
  await page.click('text=Forgot your password?');
  await page.waitForSelector('#username');
  await page.fill('#username', input.forgot.user);
  await shot(page, 'managed-login-forgot.png');
  await page.click('button[type=submit]');
  await page.waitForSelector('#code');
  const code = await outboxCode(input.forgot.user);
  await page.fill('#code', code);
  await page.fill('#password', input.forgot.newPassword);
  await page.fill('#confirm_password', input.forgot.newPassword);
  await shot(page, 'managed-login-reset.png');
  await page.click('button[type=submit]');
  await page.waitForSelector('.notice, #error');
  if (await page.$('#error')) throw new Error('reset refused: ' + (await page.textContent('#error')) + ' (code ' + code + ')');
  await signIn(page, input.forgot.user, input.forgot.newPassword);
  await page.waitForFunction(() => document.getElementById('claims')?.textContent !== '' || document.getElementById('status')?.textContent !== '');
  const after = await page.textContent('#claims');
  out('forgot-password', after !== '' && code !== '', { claims: after ? JSON.parse(after) : null, error: await page.textContent('#status') });
} catch (e) {
  const where = ctx.pages()[0] ? `${ctx.pages()[0].url()}\n${(await ctx.pages()[0].content()).slice(0, 3000)}` : '';
  out('error', false, { error: String(e && e.stack || e) + '\nat ' + where });
  process.exitCode = 1;
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
