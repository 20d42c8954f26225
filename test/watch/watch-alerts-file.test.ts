import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/fixtures.js';
import { runInProcess } from '../helpers/in-process.js';
import { drop, sampleFilesLateDelivery, watchArgs } from './receiver.js';

/** Every POST a fake Slack and PagerDuty on 127.0.0.1 receive, by path. */
async function startRecorder(t: { after: (fn: () => Promise<void>) => void }) {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(req.url === '/v2/enqueue' ? 202 : 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** watchArgs without its --webhook: the sinks come from the alerts file. */
const argsWithoutWebhook = (watched: string, db: string) => {
  const args = watchArgs(watched, db, 'http://unused.invalid');
  args.splice(args.indexOf('--webhook'), 2);
  return args;
};

test('watch with an alerts file (--alerts, then trailbook.yaml alerts:): PagerDuty keyed by identity, Slack, an OCSF folder, secrets from the environment', async (t) => {
  const dir = tempDir(t);
  const watched = join(dir, 'logs');
  const db = join(dir, 'store.duckdb');
  const ocsf = join(dir, 'ocsf');
  const recorder = await startRecorder(t);
  const alertsFile = join(dir, 'alerts.yaml');
  writeFileSync(
    alertsFile,
    [
      'sinks:',
      '  - name: oncall',
      '    type: pagerduty',
      '    routingKeyEnv: TEST_PD_KEY',
      `    url: ${recorder.url}/v2/enqueue`,
      '  - name: soc-channel',
      '    type: slack',
      '    urlEnv: TEST_SLACK_URL',
      '  - name: lake',
      '    type: ocsf-folder',
      `    folder: ${ocsf}`,
      '',
    ].join('\n'),
  );
  const env = { TEST_PD_KEY: 'pd-routing-key-never-printed', TEST_SLACK_URL: `${recorder.url}/slack/T000/B000` };
  const order = sampleFilesLateDelivery();
  const file = (part: string) => order.find(([path]) => path.includes(part))!;

  drop(watched, file('CloudTrail_us-east-1_20240514T1015Z'));
  let run = await runInProcess([...argsWithoutWebhook(watched, db), '--alerts', alertsFile], { env, cwd: dir });
  assert.equal(run.status, 0, run.stderr);

  // The second cycle reads the sinks from trailbook.yaml in the working folder.
  writeFileSync(join(dir, 'trailbook.yaml'), 'alerts: alerts.yaml\n');
  drop(watched, file('CloudTrail_us-east-1_20240514T0915Z'));
  run = await runInProcess(argsWithoutWebhook(watched, db), { env, cwd: dir });
  assert.equal(run.status, 0, run.stderr);

  const pagerduty = recorder.received.filter((r) => r.path === '/v2/enqueue').map((r) => r.body);
  assert.deepEqual(
    pagerduty.map((b) => [b['event_action'], b['dedup_key'], (b['payload'] as { severity: string }).severity]),
    [
      ['trigger', 'port-exposure/exposure:dbe90ba0', 'warning'],
      ['trigger', 'port-exposure/exposure:dbe90ba0', 'critical'],
    ],
    'one PagerDuty incident: opened at ticket, the same dedup key raised to critical',
  );
  assert.equal(pagerduty[0]!['routing_key'], env.TEST_PD_KEY);
  const slack = recorder.received.filter((r) => r.path.startsWith('/slack/'));
  assert.equal(slack.length, 2);
  assert.ok(Array.isArray(slack[1]!.body['blocks']) && JSON.stringify(slack[1]!.body).includes('ISOLATE'), JSON.stringify(slack[1]!.body).slice(0, 300));
  const lines = readdirSync(ocsf).flatMap((name) => readFileSync(join(ocsf, name), 'utf8').trim().split('\n'));
  assert.deepEqual(
    lines.map((line) => {
      const finding = JSON.parse(line) as { class_uid: number; finding_info: { uid: string } };
      return [finding.class_uid, finding.finding_info.uid];
    }),
    [
      [2004, 'exposure:dbe90ba0'],
      [2004, 'exposure:dbe90ba0'],
    ],
  );
  // The routing key and the Slack URL are secrets: never printed.
  for (const output of [run.stdout, run.stderr]) {
    assert.ok(!output.includes(env.TEST_PD_KEY) && !output.includes('/slack/T000'), output);
  }
});

test('watch refuses an alerts file whose variable is unset, naming the key, before reading any log', async (t) => {
  const dir = tempDir(t);
  const alertsFile = join(dir, 'alerts.yaml');
  writeFileSync(alertsFile, 'sinks:\n  - name: oncall\n    type: pagerduty\n    routingKeyEnv: TEST_PD_KEY_UNSET\n');
  const run = await runInProcess([...argsWithoutWebhook(join(dir, 'logs'), join(dir, 'store.duckdb')), '--alerts', alertsFile], { cwd: dir });
  assert.equal(run.status, 10, run.stderr);
  assert.match(run.stderr, /TEST_PD_KEY_UNSET/);
  assert.match(run.stderr, /alerts\.yaml:4/);
  assert.deepEqual(readdirSync(dir), ['alerts.yaml'], 'no store, no outbox');
});
