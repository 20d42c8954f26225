/**
 * Trust files are checked for meaning, not only for form: a trusted range or feed entry that
 * covers the internet (or most of it), an IPv4-mapped trusted prefix (which would be read as
 * IPv4: ::ffff:0:0/96 is 0.0.0.0/0), and YAML the library refuses to expand are configuration
 * errors (exit 10) with file:line — never a silent ALLOWED for everyone or a trailbook "bug".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXIT_CODES, TrailbookError } from '../../src/errors.js';
import { parseFeedText } from '../../src/intel/feeds.js';
import { publicAddresses, tooBroad } from '../../src/intel/breadth.js';
import { parseTrusted } from '../../src/intel/trusted.js';
import { parsePrefix } from '../../src/net/address.js';
import { tempDir, writeTree } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

function configError(fn: () => unknown): TrailbookError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TrailbookError, String(error));
    assert.equal(error.code, 'CONFIG');
    return error;
  }
  assert.fail('expected a CONFIG error');
}

const prefix = (text: string) => {
  const parsed = parsePrefix(text, { mapped: 'keep' });
  assert.ok(parsed.ok, text);
  return parsed.value;
};
const trusted = (cidr: string) => ['version: 1', 'corporate:', '  - name: hq', '    cidrs:', '      - 192.0.2.0/24', `      - "${cidr}"`, ''].join('\n');

test('breadth counts public addresses: private, multicast and reserved space do not count', () => {
  assert.equal(publicAddresses(prefix('10.0.0.0/8')), 0n);
  assert.equal(publicAddresses(prefix('224.0.0.0/3')), 0n, "FireHOL level1's multicast + reserved block");
  assert.equal(publicAddresses(prefix('17.0.0.0/8')), 1n << 24n);
  assert.equal(tooBroad(prefix('17.0.0.0/8')), undefined, 'a /8 of public space is the documented limit');
  assert.equal(tooBroad(prefix('2600:1f00::/24')), undefined);
  for (const broad of ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/2', '16.0.0.0/7', '::/0', '2000::/3', '2600::/15']) {
    assert.ok(tooBroad(prefix(broad)), broad);
  }
  assert.match(tooBroad(prefix('0.0.0.0/0'))!, /the whole internet/);
});

test('trusted: 0.0.0.0/0, ::/0, 0.0.0.0/1 and any range over a /8 of public space are errors at file:line:col', () => {
  for (const cidr of ['0.0.0.0/0', '::/0', '0.0.0.0/1', '64.0.0.0/3', '2000::/3']) {
    const e = configError(() => parseTrusted(trusted(cidr), 'trusted.yaml'));
    assert.equal(e.location, 'trusted.yaml:6:9', cidr);
    assert.match(e.message, /too broad to trust/);
  }
  // Still fine: private space of any size, a public /8, the usual office and VPC ranges.
  for (const cidr of ['10.0.0.0/8', '172.16.0.0/12', 'fc00::/7', '17.0.0.0/8', '203.0.113.0/24', '2001:db8::/32']) {
    assert.equal(parseTrusted(trusted(cidr), 'trusted.yaml').networks[0]!.cidrs.length, 2, cidr);
  }
});

test('trusted: an IPv4-mapped prefix is an error that says what it would have meant', () => {
  const e = configError(() => parseTrusted(trusted('::ffff:0:0/96'), 'trusted.yaml'));
  assert.equal(e.location, 'trusted.yaml:6:9');
  assert.match(e.message, /IPv4-mapped IPv6, read as 0\.0\.0\.0\/0: write the IPv4 form/);
  assert.match(configError(() => parseTrusted(trusted('::ffff:198.51.100.0/120'), 'trusted.yaml')).message, /read as 198\.51\.100\.0\/24/);
});

test('trusted: a YAML alias bomb is a configuration error naming the file, not a crash', () => {
  const levels = 'abcdefghi';
  const lines = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < levels.length; i++)
    lines.push(
      `${levels[i]}: &${levels[i]} [${Array(9)
        .fill(`*${levels[i - 1]}`)
        .join(',')}]`,
    );
  const e = configError(() => parseTrusted(lines.join('\n'), 'bomb.yaml'));
  assert.equal(e.location, 'bomb.yaml');
  assert.match(e.message, /cannot be read as YAML: Excessive alias count/);
});

test('feeds: an entry of /0 or over a /8 of public space is an error at file:line, whatever the format', () => {
  const plain = configError(() => parseFeedText('198.51.100.7\n# comment\n0.0.0.0/0\n203.0.113.9\n', { format: 'plain', location: 'feed.txt' }));
  assert.equal(plain.location, 'feed.txt:3');
  assert.match(plain.message, /feed\.txt:3: 0\.0\.0\.0\/0 covers the whole internet/);
  // Mapped IPv6 is read as IPv4: ::ffff:0:0/96 would be 0.0.0.0/0.
  const mapped = configError(() => parseFeedText('::ffff:0:0/96\n', { format: 'netset', location: 'x.netset' }));
  assert.match(mapped.message, /x\.netset:1: 0\.0\.0\.0\/0/);
  const csv = configError(() => parseFeedText('ip,label\n198.51.100.7,c2\n::/0,everything\n', { format: 'csv', location: 'iocs.csv' }));
  assert.equal(csv.location, 'iocs.csv:3');
  // FireHOL level1 lists 224.0.0.0/3 and the private ranges: no public host, so accepted.
  const firehol = parseFeedText('0.0.0.0/8\n10.0.0.0/8\n224.0.0.0/3\n198.51.100.0/24\n', { format: 'netset', location: 'level1.netset' });
  assert.equal(firehol.entries.length, 4);
});

test('cli: a broad trusted range or feed entry exits 10 with file:line, before any verdict', async (t) => {
  const dir = tempDir(t);
  writeTree(dir, {
    'everyone.yaml': trusted('0.0.0.0/0'),
    'mapped.yaml': trusted('::ffff:0:0/96'),
    'feed.txt': '198.51.100.23\n0.0.0.0/0\n',
    'good-feed.txt': '198.51.100.23\n',
  });
  // The trusted 0.0.0.0/0 would have made the feed's attacker ALLOWED (trusted-wins).
  for (const [file, line] of [
    ['everyone.yaml', 6],
    ['mapped.yaml', 6],
  ] as const) {
    const r = await runInProcess(['intel', 'check', '198.51.100.23', '--intel', join(dir, 'good-feed.txt'), '--trusted', join(dir, file), '--format', 'json']);
    assert.equal(r.status, EXIT_CODES.CONFIG, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${file}:${line}:9`));
  }
  const feed = await runInProcess(['intel', 'check', '203.0.113.5', '--intel', join(dir, 'feed.txt'), '--format', 'json']);
  assert.equal(feed.status, EXIT_CODES.CONFIG, feed.stderr);
  assert.match(feed.stderr, /feed\.txt:2: 0\.0\.0\.0\/0 covers the whole internet/);
  assert.doesNotMatch(feed.stderr, /this is a bug/);
});
