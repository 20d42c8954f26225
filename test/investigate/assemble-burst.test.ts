import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../src/engines/engine.js';
import { assembleFindings, type AssembleContext } from '../../src/investigate/assemble.js';
import type { FindingRule } from '../../src/runbook/schema.js';

// Finding rules with `burst`: one actor's rows split where they are further apart than the gap.
const context: AssembleContext = { identities: new Map(), params: { port: 8443 } };
const attempt = (ts: string | null, actor: string, resource: string, n: number): Row => ({
  ts,
  actor,
  source_ip: '198.51.100.23',
  action: 'AuthorizeSecurityGroupIngress',
  resource,
  account_id: '111122223333',
  region: 'us-east-1',
  source_ref: `ev-${n}`,
  change: 'attempt',
  direction: 'inbound',
});
const rule = (burst?: number): FindingRule => ({
  id: 'attempt',
  kind: 'attempt',
  step: 'exposures',
  groupBy: ['actor'],
  title: '{{rows}} {{rows|attempt|attempts}} on {{resource[]}} by {{actor}}',
  ...(burst === undefined ? {} : { burst: { gapMinutes: burst } }),
});
const summary = (rows: Row[], r: FindingRule) =>
  assembleFindings([r], new Map([['exposures', rows]]), context).map(({ finding: f }) => [f.title, f.eventIds, f.firstSeen]);

test('burst: gaps up to the threshold stay one finding, a longer gap starts another, per actor; ids are stable', () => {
  const rows = [
    attempt('2024-06-03T11:00:00Z', 'alice', 'sg-2', 1),
    attempt('2024-06-03T11:15:00Z', 'alice', 'sg-1', 2), // exactly 15 min: same burst
    attempt('2024-06-03T11:30:01Z', 'alice', 'sg-1', 3), // 15 min 1 s: a new burst
    attempt('2024-06-03T11:05:00Z', 'bob', 'sg-9', 4),
  ];
  assert.deepEqual(summary(rows, rule(15)), [
    ['2 attempts on sg-1, sg-2 by alice', ['ev-1', 'ev-2'], '2024-06-03T11:00:00Z'],
    ['1 attempt on sg-1 by alice', ['ev-3'], '2024-06-03T11:30:01Z'],
    ['1 attempt on sg-9 by bob', ['ev-4'], '2024-06-03T11:05:00Z'],
  ]);
  const ids = () => assembleFindings([rule(15)], new Map([['exposures', rows]]), context).map(({ finding: f }) => f.id);
  assert.deepEqual(ids(), ids());
  assert.equal(new Set(ids()).size, 3);
  // Without burst, one finding per actor, as before.
  assert.deepEqual(
    summary(rows, rule()).map(([title]) => title),
    ['3 attempts on sg-1, sg-2 by alice', '1 attempt on sg-9 by bob'],
  );
});

test('burst: a row without a time joins the first burst instead of splitting one', () => {
  const rows = [attempt('2024-06-03T11:00:00Z', 'alice', 'sg-1', 1), attempt(null, 'alice', 'sg-2', 2), attempt('2024-06-03T11:10:00Z', 'alice', 'sg-3', 3)];
  assert.equal(summary(rows, rule(15)).length, 1);
});
