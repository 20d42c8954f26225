/** The web app's files: known kinds from dist/web only, index.html for anything else, nothing outside the folder. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { staticFile } from '../../src/serve/static.js';
import { tempDir } from '../helpers/fixtures.js';

test('assets by their type, index.html for routes, never a file outside the web folder', async (t) => {
  const dir = tempDir(t, 'trailbook-serve-static-');
  const root = join(dir, 'web');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'notes.md'), '# not served: an unknown kind');
  writeFileSync(join(dir, 'secret.js'), 'the store is next door');

  const js = await staticFile(root, '/app.js');
  assert.equal(js?.type, 'text/javascript; charset=utf-8');
  assert.equal(js?.body.toString(), 'console.log(1)');
  for (const path of ['/', '/runs/1', '/notes.md', '/../secret.js', '/..%2fsecret.js', '/%2e%2e/secret.js', '/app.js%00.html', '/%E0%A4%A']) {
    const file = await staticFile(root, path);
    assert.equal(file?.type, 'text/html; charset=utf-8', path);
    assert.match(file!.body.toString(), /<title>app<\/title>/, path);
  }
  assert.equal(await staticFile(join(dir, 'not-built'), '/'), undefined);
});
