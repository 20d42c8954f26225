/** The workspace's request checks as pure functions, and the serve command's refusals before it listens. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { allowedHosts, checkRequest, newToken, sameToken, sessionCookieName } from '../../src/serve/security.js';
import { runInProcess } from '../helpers/in-process.js';

const TOKEN = newToken();
const HOSTS = allowedHosts('127.0.0.1', 7443);

function request(method: string, path: string, headers: Record<string, string>): { request: IncomingMessage; url: URL } {
  return { request: { method, headers } as unknown as IncomingMessage, url: new URL(path, 'http://x.invalid') };
}

function check(method: string, path: string, headers: Record<string, string>) {
  const r = request(method, path, { host: '127.0.0.1:7443', ...headers });
  return checkRequest(r.request, r.url, { token: TOKEN, hosts: HOSTS, cookie: sessionCookieName(7443) });
}

test('tokens: 32 random bytes in base64url, compared whatever their lengths', () => {
  assert.match(TOKEN, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newToken(), TOKEN);
  assert.equal(sameToken(TOKEN, TOKEN), true);
  for (const other of ['', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) assert.equal(sameToken(other, TOKEN), false);
});

test('hosts: the loopback names and the --host given, with the port', () => {
  assert.deepEqual([...HOSTS].sort(), ['127.0.0.1:7443', '[::1]:7443', 'localhost:7443']);
  assert.ok(allowedHosts('::1', 80).has('[::1]:80'));
  assert.ok(allowedHosts('10.0.0.5', 7443).has('10.0.0.5:7443'));
});

test('the order of the checks: Host, Origin, content type, then the session', () => {
  const bearer = { authorization: `Bearer ${TOKEN}` };
  assert.deepEqual(check('GET', '/api/session', bearer), { ok: true, viaQuery: false });
  assert.equal(check('GET', '/api/session', { ...bearer, host: 'evil.example:7443' }).ok, false);
  assert.deepEqual(check('GET', '/api/session', { ...bearer, host: 'evil.example:7443' }), {
    ok: false,
    status: 421,
    message: 'this server answers only to its own address (Host header refused)',
  });
  assert.equal((check('GET', '/', { origin: 'http://localhost:7443', cookie: `a=b; trailbook_session_7443=${TOKEN}` }) as { ok: boolean }).ok, true);
  assert.equal((check('GET', '/', { origin: 'http://localhost:7444', cookie: `trailbook_session_7443=${TOKEN}` }) as { status: number }).status, 403);
  assert.equal((check('POST', '/api/sql', { ...bearer, 'content-type': 'text/plain' }) as { status: number }).status, 415);
  assert.equal(check('POST', '/api/sql', { ...bearer, 'content-type': 'application/json; charset=utf-8' }).ok, true);
  // A refused content type is refused before the token is looked at: no body of a cross-site form is ever read.
  assert.equal((check('POST', '/api/sql', { 'content-type': 'application/x-www-form-urlencoded' }) as { status: number }).status, 415);
  assert.deepEqual(check('GET', `/?token=${TOKEN}`, {}), { ok: true, viaQuery: true });
  // Another page (another port of 127.0.0.1 is the same site, so the cookie would go along) loading
  // an API URL as an image or script is refused; a link followed to the workspace is not.
  const cookie = `trailbook_session_7443=${TOKEN}`;
  for (const site of ['same-site', 'cross-site']) {
    assert.equal((check('GET', '/api/store', { cookie, 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' }) as { status: number }).status, 403, site);
    assert.equal(check('GET', '/', { cookie, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }).ok, true, site);
    assert.equal(
      (check('POST', '/api/sql', { cookie, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'content-type': 'application/json' }) as { status: number })
        .status,
      403,
    );
  }
  assert.equal(check('GET', '/api/store', { cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }).ok, true);
  assert.equal((check('GET', `/index.html?token=${TOKEN}`, {}) as { status: number }).status, 401);
  assert.equal((check('GET', '/', { authorization: `Basic ${TOKEN}` }) as { status: number }).status, 401);
  assert.equal((check('GET', '/', { cookie: `trailbook_session_7444=${TOKEN}` }) as { status: number }).status, 401);
});

test('serve refuses a wildcard --host and a bad --port before opening anything (exit 2)', async () => {
  for (const args of [
    ['--host', '0.0.0.0'],
    ['--host', '::'],
    ['--port', '70000'],
    ['--port', 'http'],
  ]) {
    const result = await runInProcess(['serve', '--db', '/nonexistent/store.duckdb', '--no-open', ...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /--(host|port)/);
  }
  const missing = await runInProcess(['serve', '--db', '/nonexistent/store.duckdb', '--port', '0', '--no-open']);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /no store at \/nonexistent\/store\.duckdb/);
});
