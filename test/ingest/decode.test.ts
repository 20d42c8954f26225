import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeCloudTrailFile } from '../../src/ingest/cloudtrail/decode.js';
import { ctEvent, records } from '../helpers/fixtures.js';

function decode(content: string | Buffer) {
  return decodeCloudTrailFile(Buffer.isBuffer(content) ? content : Buffer.from(content));
}

test('the S3 delivery shape {"Records": [...]} and its gzip', () => {
  const text = records(ctEvent(), ctEvent());
  for (const input of [Buffer.from(text), gzipSync(text)]) {
    const result = decode(input);
    assert.ok(result.ok);
    assert.equal(result.file.records.length, 2);
    assert.equal(result.file.uncompressedBytes, text.length);
  }
});

test('a bare array, one event per line, a single event, EventBridge envelopes', () => {
  const a = ctEvent();
  const b = ctEvent({ eventName: 'RunInstances' });
  const arrayResult = decode(JSON.stringify([a, b]));
  assert.ok(arrayResult.ok && arrayResult.file.records.length === 2);
  const lines = decode(`${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`);
  assert.ok(lines.ok && lines.file.records.length === 2);
  const single = decode(JSON.stringify(a));
  assert.ok(single.ok && single.file.records.length === 1);
  const envelope = { version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: b };
  const wrapped = decode(JSON.stringify([envelope, envelope]));
  assert.ok(wrapped.ok);
  assert.equal(wrapped.file.records[0]!['eventName'], 'RunInstances');
});

test('CloudWatch Logs export lines start with the ingestion time', () => {
  const a = ctEvent();
  const result = decode(`2024-05-01T10:00:01.000Z ${JSON.stringify(a)}\n2024-05-01T10:00:02.000Z ${JSON.stringify(ctEvent())}\n`);
  assert.ok(result.ok);
  assert.equal(result.file.records.length, 2);
});

test('a UTF-8 byte order mark is not an error', () => {
  const result = decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(records(ctEvent()))]));
  assert.ok(result.ok && result.file.records.length === 1);
});

test('each broken file gets its own reason', () => {
  const full = gzipSync(records(ctEvent(), ctEvent()));
  const cases: [string, Buffer | string, string][] = [
    ['truncated gzip', full.subarray(0, full.length - 12), 'truncated-gzip'],
    ['invalid JSON', '{"Records": [ {"eventVersion": "1.08", ', 'invalid-json'],
    ['empty file', '', 'empty-file'],
    ['whitespace only', '  \n\n ', 'empty-file'],
    ['binary junk', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x10, 0x00]), 'binary-file'],
    ['plain text', 'hello, this is not a log\n', 'not-cloudtrail'],
    [
      'a digest file',
      JSON.stringify({ awsAccountId: '111122223333', digestStartTime: '2024-05-01T00:00:00Z', digestPublicKeyFingerprint: 'ab', logFiles: [] }),
      'digest-file',
    ],
    ['JSON that is not CloudTrail', JSON.stringify({ hello: 'world' }), 'not-cloudtrail'],
    ['an array of non-events', JSON.stringify([{ ruleId: 'x', eventName: 'y' }]), 'not-cloudtrail'],
  ];
  for (const [name, input, code] of cases) {
    const result = decode(input);
    assert.equal(result.ok, false, name);
    if (!result.ok) {
      assert.equal(result.skip.code, code, name);
      assert.ok(result.skip.reason.length > 5, name);
    }
  }
});

test('bad records are skipped with their place and reason, good ones kept', () => {
  const result = decode(records(ctEvent(), 'a string' as never, ctEvent({ eventTime: undefined }), ctEvent({ eventTime: 1714557600 }), { foo: 1 } as never));
  assert.ok(result.ok);
  assert.equal(result.file.records.length, 1);
  assert.deepEqual(
    result.file.recordSkips.map((s) => [s.at, s.code]),
    [
      ['Records[1]', 'not-an-object'],
      ['Records[2]', 'missing-event-time'],
      ['Records[3]', 'invalid-event-time'],
      ['Records[4]', 'not-cloudtrail'],
    ],
  );
});

test('a broken line in a JSON-lines file skips that line only', () => {
  const result = decode(`${JSON.stringify(ctEvent())}\n{"eventVersion": \n${JSON.stringify(ctEvent())}\n`);
  assert.ok(result.ok);
  assert.equal(result.file.records.length, 2);
  assert.equal(result.file.recordSkips[0]!.at, 'line 2');
  assert.equal(result.file.recordSkips[0]!.code, 'invalid-json-line');
});

test('a 20 MB record is read whole', () => {
  const big = 'x'.repeat(20 * 1024 * 1024);
  const result = decode(gzipSync(records(ctEvent({ requestParameters: { userData: big } }))));
  assert.ok(result.ok);
  const params = result.file.records[0]!['requestParameters'] as { userData: string };
  assert.equal(params.userData.length, big.length);
});

test('a JSON-lines file whose first line is broken keeps the lines after it', () => {
  const result = decode(`{"eventVersion": "1.08", "eventTime": \n${JSON.stringify(ctEvent())}\n${JSON.stringify(ctEvent())}\n`);
  assert.ok(result.ok);
  assert.equal(result.file.records.length, 2);
  assert.deepEqual(
    result.file.recordSkips.map((s) => [s.at, s.code]),
    [['line 1', 'invalid-json-line']],
  );
});

test('records past the size or depth limit are skipped unparsed, with the limit in the reason', () => {
  const deep = '['.repeat(40) + ']'.repeat(40);
  const text = `{"Records":[${JSON.stringify(ctEvent({ eventID: 'kept' }))},${JSON.stringify(ctEvent({ requestParameters: { blob: 'x'.repeat(5000) } }))},{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","requestParameters":${deep}}]}`;
  const result = decodeCloudTrailFile(Buffer.from(text), { maxRecordBytes: 4096, maxDepth: 32 });
  assert.ok(result.ok);
  assert.deepEqual(
    result.file.records.map((r) => r['eventID']),
    ['kept'],
  );
  assert.deepEqual(
    result.file.recordSkips.map((s) => `${s.at} ${s.code}: ${s.reason.replace(/of \d+ bytes/, 'of N bytes')}`),
    [
      'Records[1] record-too-large: record of N bytes is over limit 4 KiB (--max-record-bytes)',
      'Records[2] too-deep: record nested deeper than 32 levels (--max-depth)',
    ],
  );
});
