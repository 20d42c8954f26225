/** The workspace's runbooks: --runbooks folders before the bundled ones, invalid ones left out, a changed file read again. */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUNDLED_RUNBOOKS } from '../../src/runbook/resolve.js';
import { RunbookShelf, runbookEntry } from '../../src/serve/runbooks.js';
import { tempDir } from '../helpers/fixtures.js';

test('a team folder first: its own runbook and its copy of a bundled id win; an invalid one is left out; edits are seen', async (t) => {
  const team = tempDir(t, 'trailbook-serve-runbooks-');
  cpSync(join(BUNDLED_RUNBOOKS, 'port-exposure'), join(team, 'port-exposure'), { recursive: true });
  const ownFile = join(team, 'port-exposure', 'runbook.yaml');
  writeFileSync(ownFile, readFileSync(ownFile, 'utf8').replace(/^title: .*$/m, 'title: Our port runbook'));
  cpSync(join(BUNDLED_RUNBOOKS, 'logging-tampering'), join(team, 'renamed'), { recursive: true });
  const renamedFile = join(team, 'renamed', 'runbook.yaml');
  writeFileSync(renamedFile, readFileSync(renamedFile, 'utf8').replace(/^id: .*$/m, 'id: team-tampering'));
  mkdirSync(join(team, 'broken'));
  writeFileSync(join(team, 'broken', 'runbook.yaml'), 'id: [not valid');

  const shelf = new RunbookShelf(() => [team, BUNDLED_RUNBOOKS]);
  const entries = (await shelf.list()).map(runbookEntry);
  assert.deepEqual(entries.map((e) => e.id).sort(), ['credential-compromise', 'logging-tampering', 'port-exposure', 'team-tampering']);
  assert.equal(entries.find((e) => e.id === 'port-exposure')!.title, 'Our port runbook');
  assert.equal(entries.find((e) => e.id === 'port-exposure')!.dir, join(team, 'port-exposure'));

  writeFileSync(ownFile, readFileSync(ownFile, 'utf8').replace('title: Our port runbook', 'title: Our port runbook, edited'));
  utimesSync(ownFile, new Date(), new Date(Date.now() + 5000));
  assert.equal((await shelf.find('port-exposure'))!.runbook.title, 'Our port runbook, edited');
  assert.equal(await shelf.find('broken'), undefined);
});
