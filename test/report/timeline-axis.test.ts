import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTicks, windowLabel } from '../../src/report/render/timeline.js';

const at = (iso: string) => Date.parse(iso);

test('axis: at most ten ticks at every span, from minutes to a decade, with labels that fit the span', () => {
  const cases: [string, string, RegExp][] = [
    ['2024-05-14T09:00:00Z', '2024-05-14T09:20:00Z', /^\d\d:\d\d$/],
    ['2024-05-12T00:00:00Z', '2024-05-15T00:00:00Z', /^\d\d:\d\d$|^\d{4}-\d\d-\d\d$/],
    ['2024-01-01T00:00:00Z', '2024-12-31T00:00:00Z', /^\d{4}-\d\d$/],
    ['2015-03-10T00:00:00Z', '2025-11-01T00:00:00Z', /^\d{4}$/],
    ['2016-01-01T00:00:00Z', '2026-12-01T00:00:00Z', /^\d{4}$/],
  ];
  for (const [from, to, shape] of cases) {
    const ticks = axisTicks(at(from), at(to));
    assert.ok(ticks.length >= 3 && ticks.length <= 10, `${from} → ${to}: ${ticks.length} ticks`);
    for (const tick of ticks) {
      assert.match(tick.label, shape, `${from} → ${to}`);
      assert.ok(tick.ms >= at(from) && tick.ms <= at(to));
    }
    assert.deepEqual(
      ticks.map((t) => t.ms),
      [...ticks.map((t) => t.ms)].sort((a, b) => a - b),
    );
  }
});

test('axis: the multi-year span that drew 557 weekly ticks now draws year starts', () => {
  const ticks = axisTicks(at('2014-02-01T00:00:00Z'), at('2024-09-30T00:00:00Z'));
  assert.deepEqual(
    ticks.map((t) => t.label),
    ['2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024'],
  );
  assert.equal(new Date(ticks[0]!.ms).toISOString(), '2015-01-01T00:00:00.000Z');
  assert.deepEqual(
    axisTicks(at('2004-02-01T00:00:00Z'), at('2024-09-30T00:00:00Z')).map((t) => t.label),
    ['2006', '2008', '2010', '2012', '2014', '2016', '2018', '2020', '2022', '2024'],
  );
});

test('window labels keep the rule (and its CIDR) whole and shorten the resource', () => {
  const label = windowLabel(
    'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/front/50dc6c495c0c9188/f2f7dc8efc522ab2',
    'tcp port 8443 from 0.0.0.0/0',
  );
  assert.ok(label.endsWith(': tcp port 8443 from 0.0.0.0/0'), label);
  assert.ok(Array.from(label).length <= 46, label);
  // 50 characters: the group id gives way (whole in the row's tooltip), the CIDR does not.
  assert.equal(windowLabel('sg-0a1b2c3d4e5f60718', 'tcp port 8443 from 0.0.0.0/0'), 'sg-0a1b2…5f60718: tcp port 8443 from 0.0.0.0/0');
  assert.equal(windowLabel('sg-0a1b2c3d', 'tcp port 22 from 10.0.0.0/8'), 'sg-0a1b2c3d: tcp port 22 from 10.0.0.0/8');
  const long = windowLabel('sg-1', 'tcp ports 0-65535 from 2001:db8:aaaa:bbbb:cccc:dddd::/96 and more');
  assert.equal(Array.from(long).length, 46, 'a rule longer than the column is cut at the column');
});
