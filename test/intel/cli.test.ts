import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

async function trailbook(args: string[]) {
  const result = await runInProcess(args, { cwd: REPO_ROOT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const trusted = join('examples', 'trusted-networks.yaml');
const drop = join('test', 'intel', 'fixtures', 'drop.txt');
const plain = join('test', 'intel', 'fixtures', 'broken-plain.txt');

test('cli: intel check (json): verdicts, reasons, inputs with sha256', async () => {
  const r = await trailbook([
    'intel',
    'check',
    '--intel',
    drop,
    '--trusted',
    trusted,
    '--at',
    '2026-08-05T00:00:00Z',
    '--format',
    'json',
    '198.51.100.1',
    '192.0.2.200',
    'ec2.amazonaws.com',
    '2001:db8:1000::1',
    '192.0.2.10',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.schema, 'trailbook.intel-check/v1');
  assert.equal(doc.at, '2026-08-05T00:00:00.000Z');
  assert.equal(doc.inputs.intel[0].name, 'drop');
  assert.equal(doc.inputs.intel[0].entries, 4);
  assert.match(doc.inputs.intel[0].sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    doc.verdicts.map((v: { verdict: string; rule: string }) => `${v.verdict}/${v.rule}`),
    ['allowed/trusted-over-intel', 'suspicious/threat-intel', 'known/aws-service', 'allowed/trusted-network', 'known/trusted-over-intel'], // the pentest range is also on drop.txt,
  );
  assert.equal(doc.verdicts[0].conflict, true);
});

test('cli: intel check (table) escapes control characters in values', async () => {
  const r = await trailbook(['intel', 'check', '--at', '2026-08-05T00:00:00Z', '\u001b[31m1.2.3.4', '81.2.69.142, 192.168.10.10']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes('\u001b'));
  assert.match(r.stdout, /\\x1b\[31m1\.2\.3\.4\s+invalid\s+suspicious\s+invalid-value/);
  assert.match(r.stdout, /81\.2\.69\.142, 192\.168\.10\.10\s+suspicious\s+suspicious\s+address-list/);
});

test('cli: intel stats lists feeds with bad lines on stderr; errors have stable exit codes', async () => {
  const r = await trailbook(['intel', 'stats', '--intel', plain, '--intel', `spamhaus,name=drop-text:${drop}`, '--trusted', trusted]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /broken-plain\s+plain\s+3\s+14 lines\s+7\s+4/);
  assert.match(r.stdout, /drop-text\s+spamhaus\s+4/);
  assert.match(r.stderr, /broken-plain\.txt:7: not an IP or CIDR: prefix length 33/);
  const json = JSON.parse((await trailbook(['intel', 'stats', '--intel', plain, '--format', 'json'])).stdout);
  assert.equal(json.feeds[0].totals.records, 14);
  assert.equal(json.feeds[0].bad.length, 7);
  assert.equal((await trailbook(['intel', 'stats', '--intel', 'test/intel/fixtures/none.txt'])).status, 9);
  assert.equal((await trailbook(['intel', 'check', '1.2.3.4', '--trusted', 'test/intel/fixtures/drop.txt'])).status, 10);
  assert.equal((await trailbook(['intel', 'check', '1.2.3.4', '--at', 'soon'])).status, 2);
});
