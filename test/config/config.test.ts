/**
 * Project settings (src/config/, docs/config.md): trailbook.yaml found upward from the working
 * directory, TRAILBOOK_* variables, flag > env > file > default, paths relative to the file, two
 * tiers of checks with exit 10, and the report's inputs.config saying which place set what.
 * The CLI runs in-process on the bundled sample.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSettings } from '../../src/config/settings.js';
import { configTemplate } from '../../src/config/init.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

const SAMPLE = join(REPO_ROOT, 'sample');
let project = '';
let deeper = '';

const CONFIG = `# the sample investigation's settings
store: data/store.duckdb
intel:
  - feeds/threat-feed.txt
trusted: trusted-networks.yaml
parameters:
  port: 8443
`;

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'trailbook-config-'));
  deeper = join(project, 'cases', 'today');
  mkdirSync(deeper, { recursive: true });
  mkdirSync(join(project, 'feeds'));
  copyFileSync(join(SAMPLE, 'intel', 'threat-feed.txt'), join(project, 'feeds', 'threat-feed.txt'));
  copyFileSync(join(SAMPLE, 'trusted-networks.yaml'), join(project, 'trusted-networks.yaml'));
  writeFileSync(join(project, 'trailbook.yaml'), CONFIG);
  // Ingest from two folders down, without --db: the store is the file's, relative to the file.
  const ingest = await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), join(SAMPLE, 'vpcflow'), '--no-progress', '--json'], { cwd: deeper });
  assert.equal(ingest.status, 0, ingest.stderr);
  assert.ok(existsSync(join(project, 'data', 'store.duckdb')), 'the store the file names');
  assert.ok(!existsSync(join(deeper, '.trailbook')), 'not the default store where the user stands');
});
after(() => rmSync(project, { recursive: true, force: true }));

interface JsonReport {
  parameters: { port: number };
  inputs: { intel: unknown[]; config?: { file: string | null; from: Record<string, string> } };
  findings: Array<{ decision: { action: string } }>;
}
const actions = (r: JsonReport) => r.findings.map((f) => f.decision.action);

async function investigateJson(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<JsonReport> {
  const r = await runInProcess(['investigate', '--format', 'json', '--to', '2024-05-15T00:00:00Z', ...args], { cwd, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

test('trailbook.yaml found upward remembers the store, feeds and trusted file: the same outcome as the flags', async () => {
  const remembered = await investigateJson(deeper);
  const file = join(project, 'trailbook.yaml');
  assert.deepEqual(remembered.inputs.config, { file, from: { db: file, intel: file, trusted: file, port: file, protocol: 'default' } });
  assert.equal(remembered.inputs.intel.length, 1);
  const explicit = await investigateJson(tmpdir(), [
    '--db',
    join(project, 'data', 'store.duckdb'),
    '--intel',
    join(SAMPLE, 'intel', 'threat-feed.txt'),
    '--trusted',
    join(SAMPLE, 'trusted-networks.yaml'),
  ]);
  assert.deepEqual(actions(remembered), actions(explicit));
  assert.deepEqual(explicit.inputs.config?.from, { db: '--db', intel: '--intel', trusted: '--trusted', port: 'default', protocol: 'default' });
  // The text report names what the command line did not show.
  const text = await runInProcess(['investigate', '--to', '2024-05-15T00:00:00Z'], { cwd: deeper, env: { TRAILBOOK_PORT: '8443' } });
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout.replace(/\n {2}/g, ' '),
    new RegExp(`\nsettings: db, intel, trusted from ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · port from TRAILBOOK_PORT\n`),
  );
});

test('intel check and stats read the same feeds and trusted file as investigate', async () => {
  const check = await runInProcess(['intel', 'check', '198.51.100.23', '--format', 'json'], { cwd: deeper });
  assert.equal(check.status, 0, check.stderr);
  const doc = JSON.parse(check.stdout) as { inputs: { intel: unknown[]; trusted: { path: string } | null } };
  assert.equal(doc.inputs.intel.length, 1);
  assert.equal(doc.inputs.trusted?.path, join(project, 'trusted-networks.yaml'));
  const stats = await runInProcess(['intel', 'stats'], { cwd: deeper });
  assert.equal(stats.status, 0, stats.stderr);
  const none = await runInProcess(['intel', 'stats'], { cwd: tmpdir() });
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /TRAILBOOK_INTEL, TRAILBOOK_TRUSTED, or trailbook\.yaml/);
});

test('a flag beats its environment variable, which beats the file', async () => {
  const env = await investigateJson(deeper, [], { TRAILBOOK_PORT: '443' });
  assert.equal(env.parameters.port, 443);
  assert.equal(env.inputs.config?.from['port'], 'TRAILBOOK_PORT');
  const flag = await investigateJson(deeper, ['--port', '8443'], { TRAILBOOK_PORT: '443' });
  assert.equal(flag.parameters.port, 8443);
  assert.equal(flag.inputs.config?.from['port'], '--port');

  const settings = resolveSettings(
    {},
    {
      cwd: deeper,
      env: { TRAILBOOK_DB: 'elsewhere.duckdb', TRAILBOOK_INTEL: 'a.txt, csv:b.csv' },
      uses: ['db', 'intel', 'trusted'],
    },
  );
  assert.equal(settings.db, 'elsewhere.duckdb');
  assert.deepEqual(settings.intel, ['a.txt', 'csv:b.csv']);
  assert.equal(settings.trusted, join(project, 'trusted-networks.yaml'));
  assert.deepEqual(settings.provenance.from, { db: 'TRAILBOOK_DB', intel: 'TRAILBOOK_INTEL', trusted: join(project, 'trailbook.yaml') });
  // Nothing anywhere: the built-in defaults.
  const bare = resolveSettings({}, { cwd: tmpdir(), env: {}, uses: ['db', 'port'] });
  assert.deepEqual([bare.db, bare.port, bare.provenance], ['.trailbook/trailbook.duckdb', 8443, { file: null, from: { db: 'default', port: 'default' } }]);
});

test('trailbook.yaml is checked in two tiers, each problem at file:line:col with exit 10', async () => {
  const dir = mkdtempSync(join(project, 'bad-'));
  const cases: Array<[string, string, RegExp]> = [
    ['syntax', 'store: [unclosed\n', /trailbook\.yaml:\d+:\d+/],
    ['unknown key', 'store: x.duckdb\nintell: feeds/x.txt\n', /unknown setting "intell"[\s\S]*trailbook\.yaml:2:1/],
    ['wrong type', 'parameters:\n  port: [1, 2]\n', /parameters\.port[\s\S]*trailbook\.yaml:2:9/],
    ['not a port', 'parameters:\n  port: 70000\n', /parameters\.port "70000" is not a port: a whole number from 1 to 65535[\s\S]*trailbook\.yaml:2:9/],
    ['protocol', 'parameters:\n  protocol: sctp\n', /parameters\.protocol "sctp" is not tcp, udp or any[\s\S]*trailbook\.yaml:2:13/],
    ['missing feed', 'intel:\n  - csv:feeds/none.csv\n', /intel feed .*none\.csv does not exist[\s\S]*trailbook\.yaml:2:5/],
  ];
  for (const [label, text, message] of cases) {
    writeFileSync(join(dir, 'trailbook.yaml'), text);
    const r = await runInProcess(['sql', 'SELECT 1'], { cwd: dir });
    assert.equal(r.status, 10, `${label}: ${r.stderr}`);
    assert.match(r.stderr, message, label);
  }
  const env = await runInProcess(['flows'], { cwd: tmpdir(), env: { TRAILBOOK_PORT: 'abc' } });
  assert.equal(env.status, 10, env.stderr);
  assert.match(env.stderr, /TRAILBOOK_PORT "abc" is not a port: a whole number from 1 to 65535/);
});

test('trailbook init writes a commented file that changes nothing, whose examples are valid, and never overwrites', async () => {
  const dir = mkdtempSync(join(project, 'init-'));
  const first = await runInProcess(['init'], { cwd: dir });
  assert.equal(first.status, 0, first.stderr);
  const path = join(dir, 'trailbook.yaml');
  assert.equal(readFileSync(path, 'utf8'), configTemplate());
  assert.deepEqual(resolveSettings({}, { cwd: dir, env: {}, uses: ['db', 'port'] }).provenance.from, { db: 'default', port: 'default' });

  writeFileSync(path, 'store: mine.duckdb\n');
  const again = await runInProcess(['init', dir]);
  assert.equal(again.status, 13, again.stderr);
  assert.match(again.stderr, /already exists: trailbook init never overwrites it/);
  assert.equal(readFileSync(path, 'utf8'), 'store: mine.duckdb\n');

  // Uncommented, the examples are a valid file (given the files they name).
  const examples = configTemplate()
    .split('\n')
    .filter((line) => /^# (\w+:| {2})/.test(line))
    .map((line) => line.slice(2))
    .join('\n');
  const valid = mkdtempSync(join(project, 'examples-'));
  mkdirSync(join(valid, 'feeds'));
  writeFileSync(join(valid, 'feeds', 'ipsum.txt'), '198.51.100.23\t3\n');
  copyFileSync(join(SAMPLE, 'trusted-networks.yaml'), join(valid, 'trusted-networks.yaml'));
  writeFileSync(join(valid, 'trailbook.yaml'), examples);
  const settings = resolveSettings({}, { cwd: valid, env: {}, uses: ['db', 'intel', 'trusted', 'port', 'protocol'] });
  assert.deepEqual(settings.intel, [join(valid, 'feeds', 'ipsum.txt')]);
  assert.equal(settings.protocol, 'tcp');
});
