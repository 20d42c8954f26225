import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowLogParser, parseFormatString, type FlowReadStats } from '../../src/ingest/vpcflow/index.js';

const V2 = (over: Partial<Record<string, string>> = {}) => {
  const d: Record<string, string> = {
    version: '2',
    account: '123456789012',
    eni: 'eni-0aaa',
    src: '198.51.100.7',
    dst: '10.0.0.5',
    sport: '50000',
    dport: '8443',
    proto: '6',
    packets: '3',
    bytes: '180',
    start: '1700000000',
    end: '1700000060',
    action: 'ACCEPT',
    status: 'OK',
    ...over,
  };
  return Object.values(d).join(' ');
};

function parseAll(lines: string[], options = {}): { parser: FlowLogParser; stats: FlowReadStats; records: ReturnType<FlowLogParser['parseLine']>[] } {
  const parser = new FlowLogParser(options);
  const records = lines.map((l) => parser.parseLine(l)).filter((r) => r !== null);
  return { parser, stats: parser.stats, records };
}

function assertTotals(s: FlowReadStats): void {
  assert.equal(s.records + s.nodata + s.skipdata + s.headers + s.bad, s.lines);
}

test('malformed lines get a reason with their line number, and the rest is read', () => {
  const { stats, records } = parseAll([
    V2(),
    '2 123456789012 eni-0aaa 198.51.100.7 10.0.0.5 50000', // too few fields
    V2({ dport: 'https' }), // non-numeric port
    V2({ sport: '70000' }), // not a port
    V2({ bytes: '12x' }),
    '',
    V2({ dport: '22' }),
  ]);
  assert.equal(records.length, 2);
  assert.equal(stats.records, 2);
  assert.equal(stats.bad, 5);
  assert.deepEqual(
    stats.badLines.map((b) => b.line),
    [2, 3, 4, 5, 6],
  );
  assert.match(stats.badLines[0]!.reason, /expected 14 fields .*found 6/);
  assert.match(stats.badLines[1]!.reason, /non-numeric dstport "https"/);
  assert.match(stats.badLines[2]!.reason, /srcport 70000 is not a port/);
  assert.match(stats.badLines[3]!.reason, /non-numeric bytes/);
  assert.match(stats.badLines[4]!.reason, /empty line/);
  assertTotals(stats);
});

test('a header that changes mid-file is a bad line with its number; later lines use the new header', () => {
  const { stats, records } = parseAll([
    'version srcaddr dstaddr srcport dstport action log-status',
    '2 198.51.100.7 10.0.0.5 50000 8443 ACCEPT OK',
    'version srcaddr dstaddr srcport dstport action log-status',
    '2 198.51.100.8 10.0.0.5 50001 8443 REJECT OK',
    'version dstaddr srcaddr dstport srcport tcp-flags action log-status',
    '3 10.0.0.5 203.0.113.9 8443 40000 2 REJECT OK',
    '2 198.51.100.8 10.0.0.5 50001 8443 REJECT OK', // old layout: 7 fields, now 8 expected
  ]);
  assert.equal(stats.headers, 2, 'the first header and its identical repetition');
  assert.equal(stats.records, 3);
  assert.equal(stats.bad, 2);
  assert.equal(stats.badLines[0]!.line, 5);
  assert.match(stats.badLines[0]!.reason, /header changed mid-file \(7 fields from line 1 → 8 fields\)/);
  assert.equal(stats.badLines[1]!.line, 7);
  assert.match(stats.badLines[1]!.reason, /expected 8 fields \(the header at line 5\), found 7/);
  const third = records[2]!.values;
  assert.equal(third['srcaddr'], '203.0.113.9');
  assert.equal(third['dstport'], 8443);
  assert.equal(third['tcp_flags'], 2);
  assert.equal(stats.fields?.length, 8);
  assertTotals(stats);
});

test('unknown fields in a header are kept in extra and reported, not fatal', () => {
  const { stats, records } = parseAll(['version srcaddr dstport future-field log-status', '9 10.0.0.1 8443 abc OK', '9 10.0.0.1 8443 - OK']);
  assert.deepEqual(stats.unknownFields, ['future-field']);
  assert.equal(stats.records, 2);
  assert.deepEqual(records[0]!.extra, { 'future-field': 'abc' });
  assert.equal(records[1]!.extra, null, '"-" in an unknown field is no value');
});

test('header-less input: the given format wins; otherwise the field count picks a layout or the line is bad', () => {
  const given = parseAll(['6 eni-1 10.0.0.1 10.0.0.2 443 ACCEPT'], { fields: '${version} ${interface-id} ${srcaddr} ${dstaddr} ${dstport} ${action}' });
  assert.equal(given.stats.formatSource, 'given');
  assert.equal(given.records[0]!.values['dstport'], 443);
  assert.deepEqual(parseFormatString('${a} ${b-c}'), ['a', 'b-c']);

  const unknown = parseAll(['1 2 3 4 5']);
  assert.equal(unknown.stats.bad, 1);
  assert.match(unknown.stats.badLines[0]!.reason, /no header line, and 5 fields match no known flow-log layout/);
  assertTotals(unknown.stats);
});

test('CloudWatch shapes: JSON {"message"} lines and export lines with a timestamp prefix', () => {
  const { stats, records } = parseAll([
    JSON.stringify({ timestamp: 1700000000000, message: V2() }),
    `2023-11-14T22:13:20.000Z ${V2({ dport: '22' })}`,
    '{"message": 42}',
    '{not json',
  ]);
  assert.equal(stats.jsonWrapped, 1);
  assert.equal(stats.timestampPrefixed, 1);
  assert.deepEqual(
    records.map((r) => r!.values['dstport']),
    [8443, 22],
  );
  assert.equal(stats.bad, 2);
  assert.match(stats.badLines[0]!.reason, /without a string "message"/);
  assert.match(stats.badLines[1]!.reason, /not valid JSON/);
  assertTotals(stats);
});

test('header names may be given with underscores (Athena spelling) and CRLF line ends are read', () => {
  const { stats, records } = parseAll(['version srcaddr log_status\r', '2 10.0.0.1 NODATA\r']);
  assert.equal(stats.headers, 1);
  assert.equal(stats.nodata, 1);
  assert.equal(records[0]!.values['log_status'], 'NODATA');
});

test('the bad-line list is capped but every bad line is counted', () => {
  const parser = new FlowLogParser({ maxBadLines: 3 });
  for (let i = 0; i < 10; i++) parser.parseLine('x');
  assert.equal(parser.stats.bad, 10);
  assert.equal(parser.stats.badLines.length, 3);
});

test('property: whatever the lines, the totals add up', () => {
  const token = fc.oneof(fc.constantFrom('-', 'OK', 'NODATA', 'SKIPDATA', 'ACCEPT', 'version', 'srcaddr', 'dstport', '8443', '{'), fc.string({ maxLength: 6 }));
  const line = fc.oneof(
    fc.array(token, { maxLength: 16 }).map((t) => t.join(' ')),
    fc.constant(V2()),
    fc.constant('version srcaddr dstport log-status'),
    fc.constant('2 10.0.0.1 8443 OK'),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const { stats } = parseAll(lines);
      assert.equal(stats.lines, lines.length);
      assertTotals(stats);
    }),
  );
});
