import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECKOUT } from '../helpers/corpus.js';

/**
 * The workspace's build (scripts/build-web.mjs) gives three files that the server's strict CSP
 * accepts as they are: no inline script or style, no handler attribute, nothing remote, and a
 * bundle without zod or other server code (the app reads types only from the library).
 */
test('build-web: index.html, app.js and app.css, CSP-clean and small', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'trailbook-web-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  // The checkout's script and sources (npm test runs a transpiled copy of the tests elsewhere).
  const built = spawnSync(process.execPath, [join(CHECKOUT, 'scripts/build-web.mjs'), out], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['app.css', 'app.js', 'index.html']);

  const page = readFileSync(join(out, 'index.html'), 'utf8');
  const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![1]!, /\ssrc="\/app\.js"/);
  assert.equal(scripts[0]![2], '', 'no inline script');
  assert.doesNotMatch(page, /<style|\sstyle=|\son\w+=/i, 'no inline style or handler');
  assert.doesNotMatch(page, /https?:\/\//, 'nothing remote');
  assert.match(page, /<link rel="stylesheet" href="\/app\.css">/);

  const app = readFileSync(join(out, 'app.js'), 'utf8');
  assert.ok(app.length < 150_000, `app.js is ${app.length} bytes`);
  assert.doesNotMatch(app, /\beval\(|new Function\(/);
  assert.deepEqual(
    [...new Set(app.match(/https?:\/\/[^"'\s)]+/g) ?? [])].filter((u) => !u.startsWith('http://www.w3.org/')),
    [],
    'only XML namespaces, no URL',
  );
  assert.doesNotMatch(app, /ZodError|node:fs/, 'no server code in the bundle');

  const css = readFileSync(join(out, 'app.css'), 'utf8');
  assert.match(css, /^svg\.timeline/, 'the shared components’ rules come first');
  assert.match(css, /\.decision-tree li\.taken/);
  assert.doesNotMatch(css, /@import|url\(/, 'no fetch from the stylesheet');
});
