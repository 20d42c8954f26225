import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPrefix } from '../../src/intel/address.js';
import { type LoadedFeed, loadFeed, parseFeedSpec } from '../../src/intel/feeds.js';
import { TrailbookError } from '../../src/errors.js';
import { corpusFile } from '../helpers/corpus.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => join(FIXTURES, name);

/** The totals always add up, and entries/bad lists agree with them. */
function assertBalanced(feed: LoadedFeed): void {
  const t = feed.totals;
  assert.equal(t.accepted + t.bad + t.skipped, t.records, `${feed.name}: ${JSON.stringify(t)}`);
  assert.equal(
    Object.values(t.skippedBy).reduce((a, b) => a + b, 0),
    t.skipped,
  );
  assert.match(feed.sha256, /^[0-9a-f]{64}$/);
  assert.ok(feed.date && !Number.isNaN(Date.parse(feed.date)));
  if (t.unit === 'line') assert.equal(feed.entries.length, t.accepted);
}

const cidrs = (feed: LoadedFeed) => feed.entries.map((e) => formatPrefix(e.prefix));

// ---- every real feed in ../shared/corpus/threatintel, with its counts ----

test('corpus: ipsum.txt (IP<TAB>count), date from its header', async (t) => {
  const path = corpusFile(t, 'threatintel/ipsum/ipsum.txt');
  if (!path) return;
  const feed = await loadFeed(path);
  assertBalanced(feed);
  assert.equal(feed.format, 'ipsum');
  assert.equal(feed.entries.length, 120_430);
  assert.deepEqual(feed.totals.skippedBy, { comment: 7 });
  assert.equal(feed.totals.records, 120_437);
  assert.equal(feed.date, '2026-08-22T01:00:29.000Z');
  assert.equal(feed.dateSource, 'feed');
  const tor = feed.entries.find((e) => formatPrefix(e.prefix) === '185.220.101.50/32');
  assert.equal(tor?.detail, 'on 3 blocklists');
  const min3 = await loadFeed(`ipsum,min=3:${path}`);
  assertBalanced(min3);
  assert.equal(min3.entries.length, 14_217); // the same as levels/3.txt
});

test('corpus: ipsum levels (plain lists)', async (t) => {
  for (const [name, count] of [
    ['levels-3.txt', 14_217],
    ['levels-5.txt', 1_413],
    ['levels-8.txt', 23],
  ] as const) {
    const path = corpusFile(t, `threatintel/ipsum/${name}`);
    if (!path) return;
    const feed = await loadFeed(path);
    assertBalanced(feed);
    assert.equal(feed.format, 'plain');
    assert.equal(feed.entries.length, count);
    assert.equal(feed.bad.length, 0);
    assert.equal(feed.dateSource, 'mtime');
  }
});

test('corpus: FireHOL netsets', async (t) => {
  const dshield = corpusFile(t, 'threatintel/firehol/dshield.netset');
  const drop = corpusFile(t, 'threatintel/firehol/spamhaus_drop.netset');
  if (!dshield || !drop) return;
  const d = await loadFeed(dshield);
  assertBalanced(d);
  assert.equal(d.format, 'netset');
  assert.equal(d.entries.length, 20);
  assert.equal(d.totals.skippedBy.comment, 30);
  assert.ok(d.entries.every((e) => e.prefix.length === 24));
  assert.equal(d.date, '2015-11-07T22:45:02.000Z');
  const s = await loadFeed(drop);
  assertBalanced(s);
  assert.equal(s.entries.length, 683); // the header says "683 subnets"
  assert.equal(s.totals.records, 714);
  assert.equal(cidrs(s)[0], '1.4.0.0/17');
  assert.equal(s.entries[0]!.line, 32);
});

test('corpus: Spamhaus DROP JSON lines', async (t) => {
  const path = corpusFile(t, 'threatintel/spamhaus/drop_v4.first100.json');
  if (!path) return;
  const feed = await loadFeed(path);
  assertBalanced(feed);
  assert.equal(feed.format, 'spamhaus-json');
  assert.equal(feed.entries.length, 100);
  assert.equal(feed.entries[0]!.detail, 'SBL256894 apnic');
  assert.equal(cidrs(feed)[0], '1.10.16.0/20');
});

test('corpus: AWS ip-ranges.json.gz (IPv4 + IPv6, service and region)', async (t) => {
  const path = corpusFile(t, 'threatintel/aws-ip-ranges/ip-ranges.json.gz');
  if (!path) return;
  const feed = await loadFeed(path);
  assertBalanced(feed);
  assert.equal(feed.format, 'aws');
  assert.equal(feed.kind, 'aws');
  assert.equal(feed.entries.length, 10_666 + 6_160);
  assert.equal(feed.entries.filter((e) => e.prefix.family === 6).length, 6_160);
  assert.equal(feed.date, '2026-08-22T21:17:05.000Z');
  assert.ok(feed.notes.includes('syncToken 1787433425'));
  assert.ok(feed.entries.every((e) => e.line > 0));
  assert.ok(feed.entries.some((e) => e.detail === 'EC2 us-east-1'));
  assert.ok(feed.bytes < 200_000, 'sha256 and bytes are of the gzipped file as on disk');
});

test('corpus: STIX 2.1 bundles', async (t) => {
  const expected: Record<string, { entries: number; accepted: number; records: number; cidrs?: string[] }> = {
    'indicator-for-c2-ip-address.json': { entries: 1, accepted: 1, records: 1, cidrs: ['10.0.0.0/32'] },
    'indicators-for-C2-with-COA.json': { entries: 1, accepted: 1, records: 8 },
    'infrastructure.json': { entries: 1, accepted: 1, records: 10, cidrs: ['198.51.100.3/32'] },
    'apt1.json': { entries: 4, accepted: 4, records: 76, cidrs: ['223.166.0.0/15', '58.246.0.0/15', '112.64.0.0/15', '139.226.0.0/15'] },
    'poisonivy.json': { entries: 40, accepted: 20, records: 155 },
  };
  for (const [name, want] of Object.entries(expected)) {
    const path = corpusFile(t, `threatintel/stix2/${name}`);
    if (!path) return;
    const feed = await loadFeed(path);
    assertBalanced(feed);
    assert.equal(feed.format, 'stix', name);
    assert.equal(feed.entries.length, want.entries, name);
    assert.equal(feed.totals.accepted, want.accepted, name);
    assert.equal(feed.totals.records, want.records, name);
    assert.equal(feed.totals.bad, 0, name);
    if (want.cidrs) assert.deepEqual(cidrs(feed), want.cidrs, name);
    assert.equal(feed.dateSource, 'feed');
  }
  const poison = await loadFeed(corpusFile(t, 'threatintel/stix2/poisonivy.json')!);
  // OR compounds of domains and IPs: the IPs are whole indicators, not partial
  assert.ok(poison.entries.every((e) => !e.detail?.includes('further conditions')));
  assert.ok(poison.entries.every((e) => e.validFrom === Date.parse('2015-05-15T09:12:16.432678Z')));
});

test('corpus: MISP events, objects and the attribute mapping', async (t) => {
  const expected: Record<string, { format: string; entries: number; records: number; cidrs?: string[] }> = {
    'test_events_collection_1.json': { format: 'misp', entries: 0, records: 2 },
    'test_events_collection_2.json': { format: 'misp', entries: 1, records: 2, cidrs: ['149.13.33.14/32'] },
    'test_objects_collection_2.json': { format: 'misp', entries: 1, records: 9, cidrs: ['149.13.33.14/32'] },
    'misp_attributes_to_stix21.json': {
      format: 'misp',
      entries: 5,
      records: 80,
      cidrs: ['149.13.33.14/32', '5.6.7.8/32', '5.6.7.8/32', '1.2.3.4/32', '1.2.3.4/32'],
    },
    'test_events_collection_stix21.json': { format: 'stix', entries: 2, records: 20 },
    'test_event2_stix21.json': { format: 'stix', entries: 2, records: 12 },
  };
  for (const [name, want] of Object.entries(expected)) {
    const path = corpusFile(t, `threatintel/misp/${name}`);
    if (!path) return;
    const feed = await loadFeed(path);
    assertBalanced(feed);
    assert.equal(feed.format, want.format, name);
    assert.equal(feed.entries.length, want.entries, name);
    assert.equal(feed.totals.records, want.records, name);
    if (want.cidrs) assert.deepEqual(cidrs(feed).sort(), [...want.cidrs].sort(), name);
  }
  const mapping = await loadFeed(corpusFile(t, 'threatintel/misp/misp_attributes_to_stix21.json')!);
  const types = mapping.entries.map((e) => e.detail?.split(' ')[0]).sort();
  assert.deepEqual(types, ['domain|ip', 'ip-dst', 'ip-dst|port', 'ip-src', 'ip-src|port']);
  assert.equal(mapping.totals.skippedBy['attribute type hostname|port'], 1, 'circl.lu|8443 is a hostname, not an IP');
});

// ---- broken feeds written for these tests: bad lines have numbers and do not sink the feed ----

test('broken plain list: bad lines reported with their numbers, the rest loads', async () => {
  const feed = await loadFeed(fixture('broken-plain.txt'));
  assertBalanced(feed);
  assert.equal(feed.format, 'plain');
  assert.deepEqual(cidrs(feed), ['198.51.100.7/32', '203.0.113.0/24', '192.0.2.128/25']);
  assert.deepEqual(
    feed.bad.map((b) => b.line),
    [6, 7, 8, 9, 10, 11, 12],
  );
  assert.match(feed.bad.find((b) => b.line === 7)!.reason, /prefix length 33/);
  assert.match(feed.bad.find((b) => b.line === 8)!.reason, /prefix length 129/);
  assert.match(feed.bad.find((b) => b.line === 9)!.reason, /bad group "zz"/);
  assert.match(feed.bad.find((b) => b.line === 11)!.reason, /one IP or CIDR per line/);
  assert.match(feed.bad.find((b) => b.line === 12)!.reason, /leading zero/);
  assert.deepEqual(feed.totals.skippedBy, { comment: 3, blank: 1 });
  assert.equal(feed.totals.records, 14);
  assert.equal(feed.entries[1]!.detail, 'inline comment after a CIDR');
});

test('Spamhaus DROP text form (; SBL), auto-detected, date from Last-Modified', async () => {
  const feed = await loadFeed(fixture('drop.txt'));
  assertBalanced(feed);
  assert.equal(feed.format, 'spamhaus');
  assert.deepEqual(cidrs(feed), ['192.0.2.0/24', '198.51.100.0/25', '203.0.113.64/26', '2001:db8:100::/40']);
  assert.equal(feed.entries[0]!.detail, 'SBL000001');
  assert.deepEqual(
    feed.bad.map((b) => b.line),
    [7],
  );
  assert.equal(feed.date, '2026-08-22T10:00:00.000Z');
});

test('Spamhaus JSON lines with bad lines and the metadata line', async () => {
  const feed = await loadFeed(fixture('drop.jsonl'));
  assertBalanced(feed);
  assert.equal(feed.format, 'spamhaus-json');
  assert.deepEqual(cidrs(feed), ['192.0.2.0/24']);
  assert.deepEqual(
    feed.bad.map((b) => [b.line, b.reason.split(':')[0]]),
    [
      [2, 'not an IP or CIDR'],
      [3, 'not JSON'],
      [4, 'no "cidr" string'],
    ],
  );
  assert.deepEqual(feed.totals.skippedBy, { blank: 1, metadata: 1 });
  assert.equal(feed.date, new Date(1787400000 * 1000).toISOString());
});

test('ipsum with bad lines, detected by majority and forced by format prefix', async () => {
  for (const spec of [fixture('ipsum-broken.txt'), `ipsum:${fixture('ipsum-broken.txt')}`]) {
    const feed = await loadFeed(spec);
    assertBalanced(feed);
    assert.equal(feed.format, 'ipsum');
    assert.deepEqual(cidrs(feed), ['198.51.100.1/32', '198.51.100.2/32', '2001:db8::4/128']);
    assert.deepEqual(
      feed.bad.map((b) => b.line),
      [4, 5],
    );
  }
  const plain = await loadFeed(`plain:${fixture('ipsum-broken.txt')}`);
  assertBalanced(plain);
  assert.equal(plain.entries.length, 1, 'as a plain list only the bare IP on line 4 is valid');
});

test('CSV with a chosen column, quoted fields, bad rows', async () => {
  const feed = await loadFeed(`csv,column=dst_ip,name=partner-iocs:${fixture('iocs.csv')}`);
  assertBalanced(feed);
  assert.equal(feed.name, 'partner-iocs');
  assert.deepEqual(cidrs(feed), ['198.51.100.20/32', '203.0.113.0/28', '2001:db8:cafe::1/128']);
  assert.deepEqual(
    feed.bad.map((b) => b.line),
    [4, 5],
  );
  assert.match(feed.entries[0]!.detail!, /comment=C2, seen twice/);
  assert.equal(feed.totals.skippedBy.header, 1);
  const byNumber = await loadFeed(`csv,column=3:${fixture('iocs.csv')}`);
  assert.equal(byNumber.entries.length, 3, 'a numbered column has no header: line 1 is a bad row');
  assert.deepEqual(
    byNumber.bad.map((b) => b.line),
    [1, 4, 5],
  );
  await assert.rejects(loadFeed(`csv,column=nope:${fixture('iocs.csv')}`), (e: unknown) => e instanceof TrailbookError && e.code === 'INTEL');
});

test('STIX fixture: ISSUBSET, OR, AND with a port, validity, negation, other pattern types, bad patterns', async () => {
  const feed = await loadFeed(fixture('bundle.json'));
  assertBalanced(feed);
  assert.deepEqual(cidrs(feed), ['198.51.100.0/24', '203.0.113.5/32', '2001:db8::5/128', '192.0.2.44/32', '2001:db8:feed::/48']);
  const range = feed.entries[0]!;
  assert.equal(range.validFrom, Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(range.validUntil, Date.parse('2026-06-01T00:00:00Z'));
  assert.match(feed.entries[3]!.detail!, /further conditions/);
  assert.deepEqual(
    feed.bad.map((b) => b.line),
    [42, 75],
  ); // the line of each object's id
  assert.equal(feed.totals.bad, 2);
  assert.deepEqual(feed.totals.skippedBy, { 'no IP in pattern': 1, 'pattern_type is not stix': 1, 'not an indicator (malware)': 1 });
  assert.equal(feed.date, '2026-01-02T00:00:00.000Z');
});

test('MISP fixture: ip-src, ip-dst|port, IPv6, object attributes, a bad value', async () => {
  const feed = await loadFeed(fixture('event.json'));
  assertBalanced(feed);
  assert.equal(feed.format, 'misp');
  assert.deepEqual(cidrs(feed), ['198.51.100.77/32', '203.0.113.9/32', '2001:db8::77/128', '192.0.2.66/32']);
  assert.deepEqual(
    feed.bad.map((b) => b.line),
    [11],
  );
  assert.match(feed.entries[1]!.detail!, /ip-dst\|port 203\.0\.113\.9\|8443, event "trailbook test event"/);
  assert.match(feed.entries[2]!.detail!, /to_ids=false/);
  assert.match(feed.entries[3]!.detail!, /object domain-ip/);
});

test('feed specs: format and options before the path; plain paths untouched', () => {
  assert.deepEqual(parseFeedSpec('feeds/list.txt'), { path: 'feeds/list.txt', options: {} });
  assert.deepEqual(parseFeedSpec('csv,column=dst_ip:x.csv'), { path: 'x.csv', format: 'csv', options: { column: 'dst_ip' } });
  assert.deepEqual(parseFeedSpec('ipsum,min=3,name=ip:/a/b'), { path: '/a/b', format: 'ipsum', name: 'ip', options: { min: 3 } });
  assert.deepEqual(parseFeedSpec('name=corp:C:/feeds/x'), { path: 'C:/feeds/x', name: 'corp', options: {} });
  assert.deepEqual(parseFeedSpec('C:/feeds/x'), { path: 'C:/feeds/x', options: {} });
  assert.throws(
    () => parseFeedSpec('plain,bogus=1:x'),
    (e: unknown) => e instanceof TrailbookError && e.code === 'USAGE',
  );
});

test('unreadable and unrecognisable feeds are INTEL errors with the path', async () => {
  await assert.rejects(
    loadFeed(fixture('missing.txt')),
    (e: unknown) => e instanceof TrailbookError && e.code === 'INTEL' && e.location === fixture('missing.txt'),
  );
  await assert.rejects(loadFeed(`stix:${fixture('drop.txt')}`), (e: unknown) => e instanceof TrailbookError && e.code === 'INTEL');
});
