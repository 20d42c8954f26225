import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrailbookError } from '../../src/errors.js';
import { formatPrefix } from '../../src/intel/address.js';
import { arnPatternToRegExp, loadTrusted, parseTrusted, principalAliases } from '../../src/intel/trusted.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'trusted-networks.yaml');

function configError(text: string): TrailbookError {
  try {
    parseTrusted(text, 'trusted.yaml');
  } catch (error) {
    assert.ok(error instanceof TrailbookError);
    assert.equal(error.code, 'CONFIG');
    return error;
  }
  assert.fail('expected a CONFIG error');
}

test('the shipped example loads: every kind, names, windows, endpoints, principals', async () => {
  const config = await loadTrusted(EXAMPLE);
  assert.equal(config.policy.conflict, 'trusted-wins');
  assert.deepEqual(
    config.networks.map((n) => `${n.kind}:${n.name}`),
    [
      'corporate:hq-egress',
      'corporate:vpn-ipv6',
      'vpc:prod-vpc',
      'partner:acme-payments',
      'pentest:redteam-q3',
      'scanner:research-scanner',
      'health-check:uptime-monitor',
    ],
  );
  const vpc = config.networks.find((n) => n.kind === 'vpc')!;
  assert.deepEqual(vpc.cidrs.map(formatPrefix), ['10.20.0.0/16', '2001:db8:2000::/56']);
  assert.deepEqual(vpc.endpoints, ['vpce-0a1b2c3d4e5f60718']);
  const pentest = config.networks.find((n) => n.kind === 'pentest')!;
  assert.equal(pentest.from, Date.parse('2026-08-01T00:00:00Z'));
  assert.equal(pentest.to, Date.parse('2026-08-15T00:00:00Z'));
  assert.equal(config.principals[0]!.name, 'ci-deploy');
  assert.match(config.sha256 ?? '', /^[0-9a-f]{64}$/);
});

test('schema errors name file:line:col of the offending node', () => {
  const e = configError(['version: 1', 'corporate:', '  - name: hq', '    cidrs: [10.1.2.3/8]', ''].join('\n'));
  assert.equal(e.location, 'trusted.yaml:4:13');
  assert.match(e.message, /host bits set; did you mean 10\.0\.0\.0\/8/);

  const unknown = configError(['version: 1', 'corporate:', '  - name: hq', '    cidrs: [10.0.0.0/8]', '    color: blue', ''].join('\n'));
  assert.equal(unknown.location, 'trusted.yaml:5:5');
  assert.match(unknown.message, /Unrecognized key/);

  const missing = configError(['version: 1', 'pentests:', '  - name: rt', '    cidrs: [192.0.2.0/24]', '    from: 2026-08-01T00:00:00Z', ''].join('\n'));
  assert.equal(missing.location, 'trusted.yaml:3:5', 'a missing key points at its entry');

  const window = configError(
    ['version: 1', 'pentests:', '  - name: rt', '    cidrs: [192.0.2.0/24]', '    from: 2026-08-02T00:00:00Z', '    to: 2026-08-01T00:00:00Z', ''].join('\n'),
  );
  assert.equal(window.location, 'trusted.yaml:6:9');
  assert.match(window.message, /"to" must be after "from"/);

  const zone = configError(
    ['version: 1', 'pentests:', '  - name: rt', '    cidrs: [192.0.2.0/24]', '    from: 2026-08-01T00:00:00', '    to: 2026-08-03T00:00:00Z', ''].join('\n'),
  );
  assert.match(zone.message, /with a zone/);

  const version = configError('corporate: []\n');
  assert.match(version.message, /version/);
});

test('YAML syntax errors and duplicate names are CONFIG errors', () => {
  const syntax = configError('version: 1\ncorporate: [\n');
  assert.match(syntax.location ?? '', /^trusted\.yaml:\d+:\d+$/);
  const dup = configError(
    ['version: 1', 'corporate:', '  - name: x', '    cidrs: [10.0.0.0/8]', 'scanners:', '  - name: x', '    cidrs: [192.0.2.0/24]', ''].join('\n'),
  );
  assert.match(dup.message, /"x" in scanners \(also in corporate\)/);
  const dupKey = configError('version: 1\nversion: 1\n');
  assert.ok(dupKey);
});

test('ARN patterns and assumed-role aliases', () => {
  const re = arnPatternToRegExp('arn:aws:iam::123456789012:role/github-actions-*');
  assert.ok(re.test('arn:aws:iam::123456789012:role/github-actions-deploy'));
  assert.ok(!re.test('arn:aws:iam::123456789012:role/admin'));
  assert.ok(!arnPatternToRegExp('arn:aws:iam::123456789012:role/a.b').test('arn:aws:iam::123456789012:role/aXb'), 'dots are literal');
  assert.deepEqual(principalAliases('arn:aws:sts::123456789012:assumed-role/github-actions-deploy/run-42'), [
    'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/run-42',
    'arn:aws:iam::123456789012:role/github-actions-deploy',
  ]);
  assert.deepEqual(principalAliases('arn:aws:iam::123456789012:user/alice'), ['arn:aws:iam::123456789012:user/alice']);
});
