import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNamed, mayBeNamed } from '../../src/ingest/cloudtrail/name-filter.js';
import { FlowCleanScanner } from '../../src/ingest/vpcflow/index.js';

const NAMES = new Set(['AuthorizeSecurityGroupIngress', 'RunInstances']);

test('mayBeNamed: "no" only for a record whose one eventName is certainly another name', () => {
  const cases: [string, boolean][] = [
    ['{"eventName":"DescribeInstances","eventTime":"2024-05-01T00:00:00Z"}', false],
    ['{"eventName":"RunInstances"}', true],
    ['{ "eventName" : "AuthorizeSecurityGroupIngress" }', true],
    ['{"eventName" :\n "GetObject"}', false],
    // No key, or a key written twice (a nested one could hide the event's own): parsed.
    ['{"eventTime":"2024-05-01T00:00:00Z"}', true],
    ['{"requestParameters":{"eventName":"X"},"eventName":"GetObject"}', true],
    // A \u escape anywhere could spell the key or the name otherwise.
    ['{"eventName":"Run\\u0049nstances"}', true],
    ['{"event\\u004eame":"RunInstances","requestParameters":{"eventName":"GetObject"}}', true],
    ['{"eventName":"Get\\"Object"}', true],
    // The key as a value, or not followed by a string: parsed.
    ['{"attribute":"eventName","x":1}', true],
    ['{"eventName":null}', true],
    ['{"eventName":"unterminated', true],
  ];
  for (const [text, expected] of cases) assert.equal(mayBeNamed(text, NAMES), expected, text);
  // Every "no" is right: the parsed record's name is not one of them.
  for (const [text, maybe] of cases) {
    if (maybe) continue;
    assert.equal(isNamed(JSON.parse(text) as Record<string, unknown>, NAMES), false, text);
  }
});

test('the flow validation notes the interfaces with a record on the ports (answer-first), and only when asked', () => {
  const text = [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    '2 111122223333 eni-aaa 198.51.100.7 10.0.0.5 50000 8443 6 3 180 1714521600 1714521660 ACCEPT OK',
    '2 111122223333 eni-bbb 10.0.0.6 198.51.100.8 8443 40000 6 3 180 1714521600 1714521660 ACCEPT OK',
    '2 111122223333 eni-ccc 10.0.0.7 198.51.100.9 443 40001 6 3 180 1714521600 1714521660 ACCEPT OK',
    '2 111122223333 eni-ddd - - - - - - - 1714521600 1714521660 - NODATA',
    '',
  ].join('\n');
  const asked = new FlowCleanScanner({}, new Set([8443]));
  asked.push(Buffer.from(text));
  assert.deepEqual(asked.end()?.portInterfaces?.sort(), ['eni-aaa', 'eni-bbb']);
  const plain = new FlowCleanScanner();
  plain.push(Buffer.from(text));
  const clean = plain.end();
  assert.ok(clean);
  assert.equal(clean.portInterfaces, undefined);
  // A format without the interface column cannot say: null (the hold keeps all of such files).
  const noInterface = new FlowCleanScanner({}, new Set([8443]));
  noInterface.push(Buffer.from('version srcaddr dstaddr srcport dstport\n2 1.2.3.4 10.0.0.5 50000 8443\n'));
  assert.equal(noInterface.end()?.portInterfaces, null);
});
