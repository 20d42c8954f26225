// Slow suite (`npm run test:slow`): each of Panther's test records runs alone on a fresh store (~15 s); the rest is in logging-tampering.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFile } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { runOn } from './logging-tampering-run.js';

// The logging-tampering runbook (runbooks/logging-tampering): its own cases through the library
// the CLI uses, real Stratus Red Team detonations, and the proof that a broken edge is caught.

// A peer's judgement of the same events: the test logs of Panther's CloudTrail rules about
// logging (panther-labs/panther-analysis, Apache-2.0, in the shared corpus), each record run
// alone (the file reuses event ids, which ingest would merge). `finding` is what this runbook
// gives; where it differs from Panther's expectedResult (an alert, or none), the comment says why.
const PANTHER = 'cloudtrail/panther-analysis/panther-cloudtrail-test-events';
const PEER: readonly { rule: string; test: string; panther: boolean; finding: string | null }[] = [
  { rule: 'AWS.CloudTrail.Stopped', test: 'CloudTrail Was Stopped', panther: true, finding: 'tampering:isolate' },
  { rule: 'AWS.CloudTrail.Stopped', test: 'CloudTrail Was Started', panther: false, finding: null },
  // A refused StopLogging is still an attempt to blind the account (Panther only alerts on success).
  { rule: 'AWS.CloudTrail.Stopped', test: 'Error Stopping CloudTrail', panther: false, finding: 'attempt:escalate' },
  { rule: 'AWS.CloudTrail.EventSelectorsDisabled', test: 'Event Selector Disabled', panther: true, finding: 'tampering:isolate' },
  // Selectors that keep management events: a finding that says nothing went dark.
  { rule: 'AWS.CloudTrail.EventSelectorsDisabled', test: 'Event Selector Enabled', panther: false, finding: 'tampering:false-positive' },
  { rule: 'AWS.CloudTrail.EventSelectorsDisabled', test: 'Uninteresting Event Type', panther: false, finding: null },
  { rule: 'AWS.CloudTrail.DNSLogsDeleted', test: 'Logs Deleted', panther: true, finding: 'tampering:isolate' },
  { rule: 'AWS.VPCFlow.LogsDeleted', test: 'Logs Deleted', panther: true, finding: 'tampering:isolate' },
  { rule: 'AWS.CloudTrail.AttemptToLeaveOrg', test: 'Failed Attempt to Leave Org', panther: true, finding: 'attempt:escalate' },
  {
    rule: 'AWS.Bedrock.DeleteModelInvocationLoggingConfiguration',
    test: 'Model Invocation Logging Configuration Deleted',
    panther: true,
    finding: 'tampering:isolate',
  },
  { rule: 'AWS.Bedrock.DeleteModelInvocationLoggingConfiguration', test: 'List Guardrails', panther: false, finding: null },
  { rule: 'AWS.CloudTrail.SecurityConfigurationChange', test: 'Security Configuration Changed', panther: true, finding: 'tampering:isolate' }, // DeleteTrail
  { rule: 'AWS.CloudTrail.SecurityConfigurationChange', test: 'Security Configuration Not Changed - Error', panther: false, finding: 'attempt:escalate' }, // refused DeleteTrail
  { rule: 'AWS.RDS.ActivityStreamStopped', test: 'Activity Stream Stopped Successfully', panther: true, finding: 'tampering:isolate' },
  { rule: 'AWS.RDS.ActivityStreamStopped', test: 'Activity Stream Stop Failed', panther: false, finding: 'attempt:ticket' }, // refused, from a private address (10.0.1.100)
  { rule: 'AWS.RDS.ActivityStreamStopped', test: 'Different RDS Event', panther: false, finding: null },
  { rule: 'AWS.ConfigService.DisabledDeleted', test: 'Error Deleting Config Recorder', panther: false, finding: 'attempt:escalate' }, // refused DeleteDeliveryChannel
  // Lifecycle rules on the bucket a trail delivers to (the store knows it from a CreateTrail).
  { rule: 'AWS.CloudTrail.ShortLifecycle', test: '1-Day Lifecycle Rule on Known CT Bucket', panther: true, finding: 'tampering:isolate' },
  { rule: 'AWS.CloudTrail.ShortLifecycle', test: 'Disabled 1-Day Lifecycle Rule on Known CT Bucket', panther: false, finding: null },
  { rule: 'AWS.CloudTrail.ShortLifecycle', test: '730-Day Lifecycle Rule on Known CT Bucket', panther: false, finding: null },
];

test("Panther's tests of its logging rules, record by record: the same alerts, refused attempts kept", async (t) => {
  const file = corpusFile(t, `${PANTHER}.json`);
  const index = corpusFile(t, `${PANTHER}.index.json`);
  if (!file || !index) return;
  const records = (JSON.parse(readFileSync(file, 'utf8')) as { Records: Record<string, unknown>[] }).Records;
  const tests = JSON.parse(readFileSync(index, 'utf8')) as { ruleId: string; test: string; expectedResult: boolean }[];
  const dir = tempDir(t);
  // The trail that delivers to Panther's "known CloudTrail bucket", created before the window of its tests.
  const createTrail = {
    eventVersion: '1.09',
    eventTime: '2024-01-01T00:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'CreateTrail',
    awsRegion: 'us-west-2',
    sourceIPAddress: '192.0.2.200',
    userAgent: 'test',
    eventID: 'c0ffee00-0000-4000-8000-000000000001',
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/admin', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLEADMIN0001' },
    requestParameters: { name: 'sample-trail', s3BucketName: 'sample-cloudtrail-bucket-name' },
    responseElements: null,
  };
  let compared = 0;
  for (const peer of PEER) {
    const positions = tests.flatMap((x, i) => (x.ruleId === peer.rule && x.test === peer.test ? [i] : []));
    assert.equal(positions.length, 1, `Panther test ${peer.rule} "${peer.test}"`);
    for (const i of positions) {
      assert.equal(tests[i]!.expectedResult, peer.panther, `${peer.test}: Panther's expectation`);
      const path = join(dir, `panther-${i}.json`);
      writeFileSync(path, JSON.stringify({ Records: [...(peer.test.includes('Lifecycle') ? [createTrail] : []), records[i]] }));
      const report = await runOn(t, [path]);
      const got = report.findings.map((f) => `${f.kind}:${f.decision.action}`);
      assert.deepEqual(got, peer.finding ? [peer.finding] : [], `${tests[i]!.ruleId} "${peer.test}" (${String(records[i]!['eventName'])})`);
      compared++;
    }
  }
  assert.equal(compared, 20);
});
