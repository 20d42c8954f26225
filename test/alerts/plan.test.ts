import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action } from '../../src/decide/actions.js';
import { alertId, findingIdentity, planAlerts, stateAfter } from '../../src/alerts/plan.js';
import type { Report } from '../../src/report/contract.js';

/** A report with only what planning reads: the runbook id, the time, and each finding's id and decision. */
function reportWith(findings: [id: string, action: Action][]): Report {
  return {
    generatedAt: '2024-05-14T12:00:00.000Z',
    runbook: { id: 'port-exposure', version: '3.1.1', title: 'Port exposure' },
    subject: 'port 8443',
    questions: [],
    answers: {},
    findings: findings.map(([id, action]) => ({ id, title: id, decision: { action } })),
  } as unknown as Report;
}

const planned = (previous: [string, Action][], findings: [string, Action][]) =>
  planAlerts(new Map(previous), reportWith(findings)).map((a) => [a.change, a.id, a.previousAction] as const);

test('identity and id: <runbook id>/<finding id>, and @<action> for the alert', () => {
  assert.equal(findingIdentity('port-exposure', 'exposure:dbe90ba0'), 'port-exposure/exposure:dbe90ba0');
  assert.equal(alertId('port-exposure/exposure:dbe90ba0', 'isolate'), 'port-exposure/exposure:dbe90ba0@isolate');
});

test('an unseen finding is new at any decision but false-positive', () => {
  assert.deepEqual(
    planned(
      [],
      [
        ['a:1', 'ticket'],
        ['a:2', 'isolate'],
        ['a:3', 'false-positive'],
      ],
    ),
    [
      ['new', 'port-exposure/a:1@ticket', null],
      ['new', 'port-exposure/a:2@isolate', null],
    ],
  );
});

test('more severe than last alerted: escalated, naming the action before', () => {
  assert.deepEqual(planned([['port-exposure/a:1', 'ticket']], [['a:1', 'isolate']]), [['escalated', 'port-exposure/a:1@isolate', 'ticket']]);
  assert.deepEqual(planned([['port-exposure/a:1', 'ticket']], [['a:1', 'escalate']]), [['escalated', 'port-exposure/a:1@escalate', 'ticket']]);
});

test('the same decision, or a less severe one short of false-positive: no alert', () => {
  assert.deepEqual(planned([['port-exposure/a:1', 'escalate']], [['a:1', 'escalate']]), []);
  assert.deepEqual(planned([['port-exposure/a:1', 'isolate']], [['a:1', 'ticket']]), []);
});

test('alerted before and now false-positive: resolved; false-positive again: nothing', () => {
  assert.deepEqual(planned([['port-exposure/a:1', 'escalate']], [['a:1', 'false-positive']]), [['resolved', 'port-exposure/a:1@false-positive', 'escalate']]);
  assert.deepEqual(planned([['port-exposure/a:1', 'false-positive']], [['a:1', 'false-positive']]), []);
});

test('resolved, then worse again: escalated from false-positive', () => {
  assert.deepEqual(planned([['port-exposure/a:1', 'false-positive']], [['a:1', 'ticket']]), [['escalated', 'port-exposure/a:1@ticket', 'false-positive']]);
});

test('a finding gone from the report raises nothing; the state after is each alerted identity at its action', () => {
  const previous = new Map<string, Action>([['port-exposure/gone:1', 'isolate']]);
  const alerts = planAlerts(previous, reportWith([['a:1', 'ticket']]));
  assert.deepEqual(
    alerts.map((a) => a.id),
    ['port-exposure/a:1@ticket'],
  );
  assert.deepEqual(
    [...stateAfter(previous, alerts)],
    [
      ['port-exposure/gone:1', 'isolate'],
      ['port-exposure/a:1', 'ticket'],
    ],
  );
  // Planning the same report against that state raises nothing more.
  assert.deepEqual(planAlerts(stateAfter(previous, alerts), reportWith([['a:1', 'ticket']])), []);
});

test('an alert carries the finding, the run and where its report is', () => {
  const [alert] = planAlerts(new Map(), reportWith([['a:1', 'isolate']]), { reportPath: '/reports/r.html' });
  assert.equal(alert!.identity, 'port-exposure/a:1');
  assert.equal(alert!.finding.id, 'a:1');
  assert.equal(alert!.raisedAt, '2024-05-14T12:00:00.000Z');
  assert.equal(alert!.reportPath, '/reports/r.html');
  assert.equal(alert!.subject, 'port 8443');
});
