import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ReportV1 as Report } from '../../src/report/contract.js';
import { corpusFile } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';

// issue 11 "Done when": `investigate --port 22` on the CloudTrail corpus finds the Stratus
// detonation's opening of 22 to everything, and its caller's reserved address is classified the
// same in the report and by `intel check`.
test('corpus: investigate --port 22 finds the Stratus opening; its reserved caller is classified as intel check does; its long-term key has MFA false', async (t) => {
  const corpus = corpusFile(t, 'cloudtrail');
  if (!corpus) return;
  const db = join(tempDir(t), 'store.duckdb');
  const run = await runInProcess(['investigate', corpus, '--port', '22', '--db', db, '--format', 'json']);
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const stratus = report.findings.find((f) => f.eventIds.includes('9fd68588-ecbf-4528-a345-199fa6bb0821'));
  assert.ok(stratus, 'the Stratus AuthorizeSecurityGroupIngress (tcp 22 from 208.236.235.254/0, i.e. every address) is a finding');
  assert.equal(stratus.kind, 'exposure');
  const caller = stratus.sources.find((s) => s.role === 'api-caller');
  assert.equal(caller?.ip, '253.243.215.253');

  const check = await runInProcess(['intel', 'check', '253.243.215.253', '--format', 'json']);
  assert.equal(check.status, 0, check.stderr);
  const verdict = (JSON.parse(check.stdout) as { verdicts: { verdict: string; rule: string; reportedAs: string; reasons: string[] }[] }).verdicts[0]!;
  assert.deepEqual([verdict.verdict, verdict.rule, verdict.reportedAs], ['invalid', 'not-a-source', 'suspicious']);
  assert.equal(caller?.verdict, verdict.reportedAs);
  assert.deepEqual(caller?.reasons, verdict.reasons);
  assert.match(caller!.reasons[0]!, /^reserved address \(240\.0\.0\.0\/4\)/);
  // Everywhere in the report the address has the one verdict.
  for (const s of [...report.answers.sources, ...report.findings.flatMap((f) => f.sources)].filter((s) => s.ip === caller!.ip))
    assert.equal(s.verdict, 'suspicious');

  // christophe called with his AKIA key directly: no MFA is possible on such a call.
  assert.equal(stratus.credentials?.keyKind, 'long-term');
  assert.equal(stratus.credentials?.mfa, false);
  assert.match(stratus.credentials?.mfaReason ?? '', /long-term access key \(AKIA…\) used directly/);
  // Without intel, an unlisted public caller's reason says what was (not) consulted.
  const unlisted = report.answers.sources.find((s) => s.ip === '216.160.83.56');
  assert.equal(unlisted?.reasons[0], 'public address: no trusted networks given; no AWS ranges loaded; no threat feed loaded');
});

test('MFA: a long-term key used directly is MFA false with the reason; sessions and stated values are left as CloudTrail says', async () => {
  const { identityOf } = await import('../../src/investigate/identities.js');
  const row = (ui: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    identityOf({
      eventid: 'e',
      useridentity: ui as never,
      useragent: 'aws-cli/2.15.30',
      sourceipaddress: '8.8.8.8',
      sessioncredentialfromconsole: null,
      additionaleventdata: null,
      ...extra,
    });
  const direct = row({ type: 'IAMUser', accesskeyid: 'AKIAXW7UJ577KFYIAHIM' });
  assert.equal(direct.mfa, false);
  assert.match(direct.mfaReason ?? '', /cannot carry MFA/);
  assert.equal(row({ type: 'Root', accesskeyid: 'AKIAXW7UJ577KFYIAHIM' }).mfa, false);
  const session = row({ type: 'IAMUser', accesskeyid: 'ASIAXW7UJ577KFYIAHIM' });
  assert.deepEqual([session.mfa, session.mfaReason], [null, undefined]);
  const stated = row({ type: 'IAMUser', accesskeyid: 'AKIAXW7UJ577KFYIAHIM', sessioncontext: { attributes: { mfaauthenticated: 'true' } } });
  assert.deepEqual([stated.mfa, stated.mfaReason], [true, undefined]);
  assert.equal(row({ type: 'IAMUser', accesskeyid: 'AKIAXW7UJ577KFYIAHIM' }, { sessioncredentialfromconsole: 'true' }).mfa, null);
  assert.equal(row({ type: 'IAMUser', accesskeyid: 'ACCESSKEYID' }).mfa, null, 'a placeholder key is not a long-term key');
});
