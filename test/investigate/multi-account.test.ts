/**
 * The multi-account scenario (test/scenarios/multi-account/STORY.md): its expected report was
 * written from the story before the attribution code; this test grades `investigate` against it —
 * which findings, how they group, their direction, how each connection was attributed, and the
 * decision per finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBEngine } from '../../src/local-store.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import { loadIntel } from '../../src/intel/index.js';
import { storeInputs } from '../../src/investigate/inputs.js';
import { investigate } from '../../src/investigate/investigate.js';
import { loadRunbook } from '../../src/runbook/load.js';
import type { Finding, Report } from '../../src/report/contract.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { API_B, APP_A, ATTACKER, B, C2, DB_A, scenarioEventId, SCANNER, TRIED_GROUPS, WEB_A, writeScenario } from '../scenarios/multi-account/generate.js';

async function runScenario(t: Parameters<typeof tempDir>[0]): Promise<Report> {
  const files = writeScenario(tempDir(t));
  const engine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    const summary = await ingestPaths(engine, [files.logs]);
    assert.equal(summary.skippedFiles.length, 0, 'every scenario file is read');
    const intel = await loadIntel({ feeds: [files.feed], trusted: files.trusted });
    const runbook = await loadRunbook(join(REPO_ROOT, 'runbooks', 'port-exposure'));
    return await investigate(engine, { runbook, parameters: { port: 8443 }, intel, now: new Date('2024-07-10T00:00:00Z'), inputs: await storeInputs(engine) });
  } finally {
    await engine.close();
  }
}

const flowRows = (f: Finding) => f.evidence.filter((e) => e.source_ref.startsWith('flow:'));
const only = (findings: Finding[], predicate: (f: Finding) => boolean, what: string): Finding => {
  const found = findings.filter(predicate);
  assert.equal(found.length, 1, `exactly one finding: ${what} (got ${found.map((f) => f.title).join(' | ')})`);
  return found[0]!;
};

test('multi-account scenario: seven findings, grouped, attributed and decided as STORY.md expects', async (t) => {
  const report = await runScenario(t);
  const findings = report.findings;
  assert.equal(findings.length, 7, findings.map((f) => `${f.kind}: ${f.title}`).join('\n'));

  // 1. The intrusion: one exposure finding on web's group, direction both, the call-home folded in.
  const web = only(findings, (f) => f.kind === 'exposure' && f.title.includes(WEB_A.group!), 'the web group exposure');
  assert.equal(web.direction, 'both');
  assert.equal(web.firstSeen, '2024-07-09T08:30:00Z', "the scanner's probe of web before the change counts in firstSeen");
  assert.deepEqual(web.eventIds, [scenarioEventId(3)]);
  assert.deepEqual(web.flows, { connections: 4, acceptedConnections: 3, bytes: 30830, externalPeers: 3 });
  const webFlows = flowRows(web);
  assert.ok(
    webFlows.every((e) => e.resource === WEB_A.instance),
    'only web-a connections: not api-b (other account), not db-a (contradicted), not app-a (other group)',
  );
  assert.deepEqual(
    webFlows.map((e) => [e.source_ip, e.detail?.split('; ')[1]?.split(':')[0]]),
    [
      [SCANNER, 'membership'],
      [ATTACKER, 'membership'],
      [C2, 'reached-then-outbound'],
      [SCANNER, 'membership'],
    ],
  );
  assert.match(webFlows[1]!.detail!, new RegExp(`${WEB_A.eni} carries ${WEB_A.group} since RunInstances at 2024-07-09T08:00:00Z`));
  assert.match(webFlows[2]!.detail!, /started it after 198\.51\.100\.23 was accepted on 8443 at 2024-07-09T09:04:00Z/);
  const opening = web.evidence.find((e) => e.source_ref === scenarioEventId(3))!;
  assert.match(opening.detail!, new RegExp(`not credited with ${DB_A.eni}: a REJECT of ${SCANNER} on 8443 at 2024-07-09T10:30:00Z`));
  assert.deepEqual(
    web.sources.map((s) => [s.ip, s.verdict, s.role]),
    [
      ['198.51.100.140', 'suspicious', 'api-caller'],
      [SCANNER, 'known', 'connection-peer'],
      [ATTACKER, 'suspicious', 'connection-peer'],
      [C2, 'suspicious', 'connection-peer'],
    ],
  );
  assert.equal(web.decision.action, 'isolate');

  // 2. Account B's VPC-only rule: nothing attributed to it, a ticket.
  const api = only(findings, (f) => f.kind === 'exposure' && f.title.includes(API_B.group!), 'the api-b group exposure');
  assert.equal(api.direction, 'inbound');
  assert.equal(api.flows.connections, 0);
  assert.equal(api.decision.action, 'ticket');

  // 3-4. The stolen key: one finding per burst, the five groups named in the first.
  const attempts = findings.filter((f) => f.kind === 'attempt').sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  assert.deepEqual(
    attempts.map((f) => [f.firstSeen, f.lastSeen, f.eventIds.length]),
    [
      ['2024-07-09T11:00:05Z', '2024-07-09T11:06:00Z', 5],
      ['2024-07-09T15:30:00Z', '2024-07-09T15:30:00Z', 1],
    ],
  );
  assert.equal(attempts[0]!.title, `5 failed attempts to open port 8443 on ${TRIED_GROUPS.join(', ')} by arn:aws:iam::${B.account}:user/ops-automation`);
  assert.deepEqual(
    attempts.map((f) => f.decision.action),
    ['escalate', 'escalate'],
  );

  // 5-7. Traffic nothing explains stays its own finding: api-b's and db-a's probes, app-a's partner call.
  const traffic = (host: typeof WEB_A, direction: string) =>
    only(
      findings,
      (f) => f.kind === 'traffic' && f.direction === direction && f.evidence.every((e) => e.resource === host.instance),
      `${direction} traffic at ${host.instance}`,
    );
  const apiProbes = traffic(API_B, 'inbound');
  assert.deepEqual([apiProbes.flows.connections, apiProbes.flows.acceptedConnections], [2, 0]);
  const dbProbe = traffic(DB_A, 'inbound');
  assert.match(dbProbe.evidence[0]!.detail!, /contradicted: not credited to an open rule: a REJECT of 192\.0\.2\.10/);
  const partnerCall = traffic(APP_A, 'outbound');
  assert.equal(partnerCall.flows.acceptedConnections, 1);
  for (const f of [apiProbes, dbProbe, partnerCall]) assert.equal(f.decision.action, 'false-positive', f.title);

  assert.equal(report.answers.direction, 'both');
  assert.equal(report.answers.firstSeen, '2024-07-09T08:30:00Z');
});
