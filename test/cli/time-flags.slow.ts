// Slow suite (`npm run test:slow`): investigate, exposures, flows and ingest under two other time zones (~4 s); the rest is in time-flags.test.ts.
/**
 * Every time flag of every command goes through the one parser of src/time.ts: free text is a
 * usage error naming the flag, a zone-less time is UTC whatever the machine's TZ (said once on
 * stderr, never on stdout), and relative forms count from the run's now. Built CLI (`npm run
 * build` first) on the bundled sample, whose story is one day, 2024-05-14 UTC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runInProcess } from '../helpers/in-process.js';
import { SAMPLE, TZS, ZONELESS, EXPLICIT, dir, db, jsonRows } from './time-flags-store.js';

test('a zone-less --from is UTC under any TZ: exposures, flows, ingest and investigate count the same as with Z', async () => {
  const exposures = async (from: string, env?: Record<string, string>) =>
    await runInProcess(['exposures', '--db', db, '--format', 'json', '--from', from], env ? { env } : {});
  const flows = async (from: string, env?: Record<string, string>) =>
    await runInProcess(['flows', '--db', db, '--format', 'json', '--from', from], env ? { env } : {});
  const investigate = async (from: string, env?: Record<string, string>) =>
    await runInProcess(['investigate', '--db', db, '--format', 'json', '--from', from], env ? { env } : {});
  const ingest = async (from: string, name: string, env?: Record<string, string>) =>
    await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), '--db', join(dir, name), '--no-progress', '--json', '--from', from], env ? { env } : {});

  const reference = {
    exposures: jsonRows((await exposures(EXPLICIT)).stdout).length,
    flows: jsonRows((await flows(EXPLICIT)).stdout).length,
    findings: (JSON.parse((await investigate(EXPLICIT)).stdout) as { findings: unknown[] }).findings.length,
    events: (JSON.parse((await ingest(EXPLICIT, 'ref.duckdb')).stdout) as { events: { inserted: number } }).events.inserted,
  };
  // The bound splits the day, so a bound read in another zone would count differently.
  assert.ok(reference.exposures > 0 && reference.exposures < jsonRows((await exposures('2024-05-14T00:00:00Z')).stdout).length);
  assert.ok(reference.flows > 0 && reference.flows < jsonRows((await flows('2024-05-14T00:00:00Z')).stdout).length);
  for (const TZ of TZS) {
    const env = { TZ };
    const e = await exposures(ZONELESS, env);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(jsonRows(e.stdout).length, reference.exposures, `exposures under ${TZ}`);
    // Said once, on stderr; stdout stays pure JSON (it parsed above).
    assert.equal(e.stderr.match(/read as UTC/g)?.length, 1, e.stderr);
    assert.match(e.stderr, /--from 2024-05-14T10:00:00/);
    const f = await flows(ZONELESS, env);
    assert.equal(jsonRows(f.stdout).length, reference.flows, `flows under ${TZ}`);
    const i = await investigate(ZONELESS, env);
    assert.equal(i.status, 0, i.stderr);
    assert.equal((JSON.parse(i.stdout) as { findings: unknown[] }).findings.length, reference.findings, `investigate under ${TZ}`);
    const g = await ingest(ZONELESS, `tz-${TZ.replace('/', '-')}.duckdb`, env);
    assert.equal(g.status, 0, g.stderr);
    assert.equal((JSON.parse(g.stdout) as { events: { inserted: number } }).events.inserted, reference.events, `ingest under ${TZ}`);
  }
});
