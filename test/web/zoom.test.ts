import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zoomed } from '../../src/web/components/zoom-timeline.js';

const whole = [Date.parse('2024-05-12T00:00:00Z'), Date.parse('2024-05-15T00:00:00Z')] as const;

test('zoom buttons halve and double the span around its centre, never past the whole span', () => {
  const half = zoomed(whole, 0.5, whole);
  assert.equal(half[1] - half[0], (whole[1] - whole[0]) / 2);
  assert.equal((half[0] + half[1]) / 2, (whole[0] + whole[1]) / 2, 'the centre stays');
  assert.deepEqual(zoomed(half, 2, whole), whole);
  assert.deepEqual(zoomed(whole, 2, whole), whole, 'zooming out of everything stays at everything');
  const nearEnd = [whole[1] - 3_600_000, whole[1]] as const;
  const out = zoomed(nearEnd, 4, whole);
  assert.ok(out[0] >= whole[0] && out[1] <= whole[1]);
});

test('zooming in stops at about a minute across', () => {
  let span: readonly [number, number] = whole;
  for (let i = 0; i < 40; i++) span = zoomed(span, 0.5, whole);
  assert.ok(span[1] - span[0] >= 60_000, `${span[1] - span[0]} ms across`);
});
