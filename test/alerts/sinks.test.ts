import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertsConfig, SinkConfig, SinkSettings } from '../../src/alerts/config.js';
import { buildSinks } from '../../src/alerts/config.js';
import { SinkError } from '../../src/alerts/sink.js';
import { slackMessage } from '../../src/alerts/sinks/slack.js';
import { verifyWebhookSignature, WEBHOOK_SCHEMA } from '../../src/alerts/sinks/webhook.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { tempDir } from '../helpers/fixtures.js';
import { alertOf, closedPort, findingDecided, HOSTILE, hostile, receiver, sampleReport } from './helpers.js';

/**
 * Each sink's request as its receiver gets it (docs/alerts.md): a real HTTP server on 127.0.0.1
 * per test, sinks built from configuration and environment as `trailbook watch` builds them,
 * alerts made from the bundled sample's real report.
 */

const sinkConfig = (sink: SinkSettings): AlertsConfig => ({
  source: 'test',
  sinks: [{ ...sink, location: 'test:1:1', keyLocations: {} } as SinkConfig],
});

type Json = Record<string, unknown>;

test('webhook: the trailbook.alert/v1 body, signed; the signature verifies with the secret only, and not when old', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const [sink] = buildSinks(sinkConfig({ name: 'hook', type: 'webhook', url: `${server.url}/in`, secretEnv: 'HOOK_SECRET' }), { HOOK_SECRET: 's3cret-hmac' });
  const alert = alertOf(report, findingDecided(report, 'isolate'));
  await sink!.send(alert);
  const [request] = server.requests;
  assert.ok(request);
  assert.equal(request.url, '/in');
  assert.equal(request.headers['x-trailbook-alert-id'], alert.id);
  assert.deepEqual(JSON.parse(request.body), { schema: WEBHOOK_SCHEMA, alert });
  const signature = request.headers['x-trailbook-signature'] as string;
  assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.equal(verifyWebhookSignature('s3cret-hmac', request.body, signature), true);
  assert.equal(verifyWebhookSignature('another-secret', request.body, signature), false, 'another secret');
  assert.equal(verifyWebhookSignature('s3cret-hmac', `${request.body} `, signature), false, 'a changed body');
  assert.equal(verifyWebhookSignature('s3cret-hmac', request.body, signature, 300, Date.now() / 1000 + 3600), false, 'an hour later: a replay');
});

test('slack: Block Kit with the decision, the title, every question and answer, the evidence, times and report path', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const [sink] = buildSinks(sinkConfig({ name: 'chat', type: 'slack', urlEnv: 'SLACK_URL' }), { SLACK_URL: `${server.url}/services/T/B/x` });
  const finding = findingDecided(report, 'escalate');
  await sink!.send(alertOf(report, finding, 'escalated', { previousAction: 'ticket', reportPath: '/reports/run.html' }));
  const body = JSON.parse(server.requests[0]!.body) as { text: string; blocks: Json[] };
  assert.equal(typeof body.text, 'string');
  assert.ok(body.text.includes('ESCALATE (was ticket)'), body.text);
  const header = body.blocks[0] as { type: string; text: { type: string; text: string } };
  assert.equal(header.type, 'header');
  assert.equal(header.text.type, 'plain_text');
  assert.equal(header.text.text, 'trailbook: ESCALATE (was ticket)');
  const texts = body.blocks.flatMap((b) => [
    ...((b['text'] as { text: string } | undefined) ? [(b['text'] as { text: string }).text] : []),
    ...((b['fields'] as { text: string }[] | undefined) ?? []).map((f) => f.text),
    ...((b['elements'] as { text: string }[] | undefined) ?? []).map((e) => e.text),
  ]);
  const all = texts.join('\n');
  assert.ok(all.includes(finding.title), 'the finding title');
  for (const q of report.questions) assert.ok(all.includes(q.label), `question "${q.label}"`);
  assert.ok(all.includes(`${finding.evidence.length} rows`), 'the evidence count');
  assert.ok(all.includes(finding.firstSeen) && all.includes(finding.lastSeen), 'first and last seen');
  assert.ok(all.includes('/reports/run.html'), 'the report path');
  // The direction answer of the sample ("inbound") is read as the text report reads it.
  assert.ok(all.includes(String(report.answers['direction'])), 'the direction answer');
  for (const b of body.blocks) assert.ok(((b['fields'] as unknown[] | undefined) ?? []).length <= 10, 'at most ten fields a section');
});

test('pagerduty: Events API v2 trigger with dedup_key = identity and the decision as severity; resolve with the same key', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const [sink] = buildSinks(sinkConfig({ name: 'oncall', type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: `${server.url}/v2/enqueue` }), {
    PD_KEY: 'R0UTINGKEY0123456789012345678901',
  });
  const expected = { isolate: 'critical', escalate: 'error', ticket: 'warning' } as const;
  for (const action of ['isolate', 'escalate', 'ticket'] as const) await sink!.send(alertOf(report, findingDecided(report, action)));
  const isolate = alertOf(report, findingDecided(report, 'isolate'));
  const cleared = alertOf(report, { ...isolate.finding, decision: { ...isolate.finding.decision, action: 'false-positive' } }, 'resolved', {
    previousAction: 'isolate',
  });
  await sink!.send(cleared);

  const events = server.requests.map((r) => JSON.parse(r.body) as Json);
  assert.equal(events.length, 4);
  for (const [i, action] of (['isolate', 'escalate', 'ticket'] as const).entries()) {
    const event = events[i]!;
    const finding = findingDecided(report, action);
    assert.equal(server.requests[i]!.url, '/v2/enqueue');
    assert.equal(event['routing_key'], 'R0UTINGKEY0123456789012345678901');
    assert.equal(event['event_action'], 'trigger');
    assert.equal(event['dedup_key'], `${report.runbook.id}/${finding.id}`);
    const payload = event['payload'] as Json;
    assert.equal(payload['severity'], expected[action]);
    assert.equal(payload['source'], 'trailbook');
    assert.equal(payload['timestamp'], report.generatedAt);
    assert.ok(typeof payload['summary'] === 'string' && payload['summary'].length <= 1024 && payload['summary'].includes(finding.title));
    const details = payload['custom_details'] as Json;
    assert.equal(details['decision'], action);
    assert.equal(details['evidence_rows'], finding.evidence.length);
  }
  assert.deepEqual(events[3], { routing_key: 'R0UTINGKEY0123456789012345678901', event_action: 'resolve', dedup_key: isolate.identity });
});

test('pagerduty: a summary longer than 1024 characters is cut to 1024', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const [sink] = buildSinks(sinkConfig({ name: 'oncall', type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: server.url }), { PD_KEY: 'k' });
  const finding = findingDecided(report, 'isolate');
  await sink!.send(alertOf(report, { ...finding, title: 'x'.repeat(5000) }));
  const summary = ((JSON.parse(server.requests[0]!.body) as Json)['payload'] as Json)['summary'] as string;
  assert.equal(summary.length, 1024);
});

test('github: an issue with title, Markdown body, labels, bearer token and the identity as a hidden marker', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t, 201);
  const [sink] = buildSinks(
    sinkConfig({ name: 'gh', type: 'github', repo: 'acme/security', tokenEnv: 'GH_TOKEN', apiUrl: `${server.url}/api/v3`, labels: ['security', 'trailbook'] }),
    { GH_TOKEN: 'ghp_faketoken000' },
  );
  const alert = alertOf(report, findingDecided(report, 'isolate'));
  await sink!.send(alert);
  const request = server.requests[0]!;
  assert.equal(request.url, '/api/v3/repos/acme/security/issues');
  assert.equal(request.headers['authorization'], 'Bearer ghp_faketoken000');
  const issue = JSON.parse(request.body) as { title: string; body: string; labels: string[] };
  assert.deepEqual(Object.keys(issue).sort(), ['body', 'labels', 'title']);
  assert.ok(issue.title.includes(alert.finding.title));
  assert.deepEqual(issue.labels, ['security', 'trailbook']);
  assert.ok(issue.body.includes(`<!-- trailbook-identity: ${alert.identity} -->`), 'the dedup marker');
  for (const q of report.questions) assert.ok(issue.body.includes(q.label), q.label);
});

test('jira: POST /rest/api/2/issue with project, issue type, summary, description, basic auth from two variables', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t, 201);
  const [sink] = buildSinks(
    sinkConfig({ name: 'tickets', type: 'jira', baseUrl: `${server.url}/jira/`, project: 'SEC', issueType: 'Bug', emailEnv: 'J_EMAIL', tokenEnv: 'J_TOKEN' }),
    { J_EMAIL: 'bot@example.com', J_TOKEN: 'jira-token-1' },
  );
  const alert = alertOf(report, findingDecided(report, 'ticket'));
  await sink!.send(alert);
  const request = server.requests[0]!;
  assert.equal(request.url, '/jira/rest/api/2/issue');
  assert.equal(request.headers['authorization'], `Basic ${Buffer.from('bot@example.com:jira-token-1').toString('base64')}`);
  const { fields } = JSON.parse(request.body) as { fields: Json };
  assert.deepEqual(fields['project'], { key: 'SEC' });
  assert.deepEqual(fields['issuetype'], { name: 'Bug' });
  assert.ok(String(fields['summary']).includes(alert.finding.title) && String(fields['summary']).length <= 255);
  const description = String(fields['description']);
  assert.ok(description.includes(alert.identity));
  assert.ok(description.includes(`${alert.finding.evidence.length} rows`));
});

test('ocsf-folder: one Detection Finding line per alert in trailbook-YYYYMMDD.ocsf.jsonl; escalated is Update, resolved Close/Resolved', async (t) => {
  const report = await sampleReport(t);
  const folder = join(tempDir(t), 'lake', 'findings');
  const [sink] = buildSinks(sinkConfig({ name: 'lake', type: 'ocsf-folder', folder }));
  const finding = findingDecided(report, 'isolate');
  await sink!.send(alertOf(report, finding));
  await sink!.send(alertOf(report, finding, 'escalated', { previousAction: 'ticket' }));
  const cleared = { ...finding, decision: { ...finding.decision, action: 'false-positive' as const } };
  await sink!.send(alertOf(report, cleared, 'resolved', { previousAction: 'isolate' }));
  const day = report.generatedAt.slice(0, 10).replace(/-/g, '');
  assert.deepEqual(readdirSync(folder), [`trailbook-${day}.ocsf.jsonl`]);
  const text = readFileSync(join(folder, `trailbook-${day}.ocsf.jsonl`), 'utf8');
  assert.ok(text.endsWith('\n'));
  const events = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Json);
  assert.equal(events.length, 3);
  for (const event of events) {
    assert.equal(event['class_uid'], 2004);
    assert.equal(event['type_uid'], 2004 * 100 + (event['activity_id'] as number));
    assert.equal((event['finding_info'] as Json)['uid'], finding.id);
    assert.equal(event['time'], Date.parse(report.generatedAt));
  }
  assert.deepEqual(
    events.map((e) => [e['activity_id'], e['status_id'], e['severity_id']]),
    [
      [1, 1, 5],
      [2, 1, 5],
      [3, 4, 1],
    ],
  );
});

test('hostile log text arrives escaped: no Slack mention or link, no Markdown link or mention, no HTML, bidi made visible', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const env = { SLACK_URL: `${server.url}/slack`, GH_TOKEN: 't', J_EMAIL: 'e', J_TOKEN: 't', PD_KEY: 'k' };
  const config: AlertsConfig = {
    source: 'test',
    sinks: [
      { name: 'chat', type: 'slack', urlEnv: 'SLACK_URL' },
      { name: 'gh', type: 'github', repo: 'a/b', tokenEnv: 'GH_TOKEN', apiUrl: `${server.url}/gh` },
      { name: 'jira', type: 'jira', baseUrl: `${server.url}/jira`, project: 'SEC', emailEnv: 'J_EMAIL', tokenEnv: 'J_TOKEN' },
      { name: 'pd', type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: `${server.url}/pd` },
    ].map((s) => ({ ...s, location: 'test:1:1', keyLocations: {} }) as SinkConfig),
  };
  const alert = hostile(report, findingDecided(report, 'isolate'));
  for (const sink of buildSinks(config, env)) await sink.send(alert);
  const [slack, github, jira, pagerduty] = server.requests.map((r) => r.body);

  // Slack: every string it renders as mrkdwn has no raw <, > (mentions and links), & only as an entity.
  const slackBody = JSON.parse(slack!) as { text: string; blocks: Json[] };
  const rendered = [
    slackBody.text,
    ...JSON.stringify(slackBody.blocks)
      .match(/"text":"(?:[^"\\]|\\.)*"/g)!
      .map((m) => JSON.parse(`{${m}}`).text as string),
  ];
  for (const text of rendered) {
    assert.ok(!/[<>]/.test(text), `no raw angle bracket in ${text.slice(0, 80)}`);
    assert.ok(!/&(?!amp;|lt;|gt;)/.test(text), 'no raw ampersand');
  }
  assert.ok(slackBody.text.includes('&lt;!channel&gt;'), 'the mention shows as text');
  assert.ok(
    rendered.some((text) => text.includes('&lt;http://evil.example|click&gt;')),
    'the link shows as text',
  );
  assert.ok(
    rendered.some((text) => text.includes('user\\u{202e}gpj.exe')),
    'the bidi override is visible',
  );
  assert.ok(!slack!.includes('\u202e'), 'no raw bidi override');

  // GitHub: each hostile value only inside a code span (no link, mention or HTML is rendered there).
  const issue = JSON.parse(github!) as { title: string; body: string };
  const outsideCode = issue.body.replace(/(`+)[^`]*?\1/g, '');
  for (const value of [HOSTILE.markdownLink, HOSTILE.everyone, HOSTILE.script, HOSTILE.channel]) {
    assert.ok(issue.body.includes(value), `${value} is shown`);
    assert.ok(!outsideCode.includes(value), `${value} is only in code spans`);
  }
  assert.ok(!issue.body.includes('\u202e') && !issue.title.includes('\u202e'), 'no raw bidi override in the issue');
  assert.ok(!/[\r\n]/.test(issue.title), 'the title is one line');

  // Jira: the hostile text sits inside the one noformat block, which it cannot close.
  const description = String((JSON.parse(jira!) as { fields: Json }).fields['description']);
  assert.equal(description.match(/\{noformat\}/g)?.length, 2, 'only the block’s own start and end tags');
  assert.ok(description.includes('[~admin]'));
  assert.ok(!description.includes('\u202e'));

  // PagerDuty: plain text, but no control or reordering character.
  assert.ok(!pagerduty!.includes('\u202e'));
});

/** Every sink that speaks HTTP, pointed at `base`, with secrets that must never be shown. */
const SECRETS = {
  SLACK_URL: '',
  HOOK_SECRET: 'hmac-SECRET-1',
  PD_KEY: 'pd-SECRET-2',
  GH_TOKEN: 'gh-SECRET-3',
  J_EMAIL: 'mail-SECRET-4',
  J_TOKEN: 'jira-SECRET-5',
};
function httpSinks(base: string): { config: AlertsConfig; env: Record<string, string> } {
  const env = { ...SECRETS, SLACK_URL: `${base}/services/SLACK-SECRET-URL` };
  const sinks: SinkSettings[] = [
    { name: 'hook', type: 'webhook', url: `${base}/hook`, secretEnv: 'HOOK_SECRET' },
    { name: 'chat', type: 'slack', urlEnv: 'SLACK_URL' },
    { name: 'pd', type: 'pagerduty', routingKeyEnv: 'PD_KEY', url: `${base}/pd` },
    { name: 'gh', type: 'github', repo: 'a/b', tokenEnv: 'GH_TOKEN', apiUrl: base },
    { name: 'jira', type: 'jira', baseUrl: base, project: 'SEC', emailEnv: 'J_EMAIL', tokenEnv: 'J_TOKEN' },
  ];
  return { config: { source: 'test', sinks: sinks.map((s) => ({ ...s, location: 'test:1:1', keyLocations: {} }) as SinkConfig) }, env };
}

async function failure(send: Promise<void>): Promise<SinkError> {
  try {
    await send;
  } catch (error) {
    assert.ok(error instanceof SinkError, `a SinkError, got ${String(error)}`);
    return error;
  }
  assert.fail('the send should have failed');
}

function assertNoSecret(text: string, env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) assert.ok(!text.includes(value), `${name}'s value is not shown: ${text}`);
  assert.ok(!text.includes('SECRET'), text);
  assert.ok(!text.includes('127.0.0.1'), `no URL: ${text}`);
}

for (const [status, retryable] of [
  [500, true],
  [503, true],
  [429, true],
  [400, false],
  [401, false],
  [404, false],
] as const) {
  test(`every HTTP sink: HTTP ${status} is a ${retryable ? 'retryable' : 'final'} SinkError that names the sink, never a secret or URL`, async (t) => {
    const report = await sampleReport(t);
    const server = await receiver(t, status);
    const { config, env } = httpSinks(server.url);
    const alert = alertOf(report, findingDecided(report, 'isolate'));
    for (const sink of buildSinks(config, env)) {
      const error = await failure(sink.send(alert));
      assert.equal(error.retryable, retryable, `${sink.name}: ${error.message}`);
      assert.ok(error.message.startsWith(`${sink.name}: `), error.message);
      assert.ok(error.message.includes(String(status)), error.message);
      assertNoSecret(`${error.message}\n${error.stack ?? ''}`, env);
    }
    assert.equal(server.requests.length, config.sinks.length, 'each sink did reach the receiver');
  });
}

test('every HTTP sink: connection refused is a retryable SinkError, never showing a secret or URL', async (t) => {
  const report = await sampleReport(t);
  const { config, env } = httpSinks(`http://127.0.0.1:${await closedPort()}`);
  const alert = alertOf(report, findingDecided(report, 'escalate'));
  for (const sink of buildSinks(config, env)) {
    const error = await failure(sink.send(alert));
    assert.equal(error.retryable, true, `${sink.name}: ${error.message}`);
    assert.match(error.message, /connection failed/);
    assertNoSecret(`${error.message}\n${error.stack ?? ''}`, env);
  }
});

test('ocsf-folder: a folder that cannot be made is a final SinkError', async (t) => {
  const report = await sampleReport(t);
  const file = join(tempDir(t), 'not-a-folder');
  writeFileSync(file, 'x');
  const [sink] = buildSinks(sinkConfig({ name: 'lake', type: 'ocsf-folder', folder: join(file, 'sub') }));
  const error = await failure(sink!.send(alertOf(report, findingDecided(report, 'ticket'))));
  assert.equal(error.retryable, false, error.message);
  assert.match(error.message, /^lake: cannot append/);
});

test('docs/alerts.md: its Node snippet verifies a real signed delivery and refuses another secret', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const [sink] = buildSinks(sinkConfig({ name: 'hook', type: 'webhook', url: server.url, secretEnv: 'HOOK_SECRET' }), { HOOK_SECRET: 'doc-secret' });
  await sink!.send(alertOf(report, findingDecided(report, 'ticket')));
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'alerts.md'), 'utf8');
  const snippet = /```js\n([\s\S]*?)```/.exec(docs)?.[1];
  assert.ok(snippet, 'the page has a js block');
  // The snippet as written, its import replaced by the same two functions handed in.
  const code = snippet.replace(/^import .*$/m, '');
  const verify = new Function('createHmac', 'timingSafeEqual', `${code}\nreturn verify;`)(createHmac, timingSafeEqual) as (
    secret: string,
    body: string,
    header: string,
  ) => boolean;
  const { body, headers } = server.requests[0]!;
  const header = headers['x-trailbook-signature'] as string;
  assert.equal(verify('doc-secret', body, header), true);
  assert.equal(verify('other-secret', body, header), false);
  assert.equal(verify('doc-secret', body.replace('ticket', 'isolate'), header), false);
});

test('slack: hostile text longer than Slack allows is cut before escaping, so no entity is cut in half', async (t) => {
  const report = await sampleReport(t);
  const finding = findingDecided(report, 'isolate');
  const message = slackMessage(alertOf(report, { ...finding, title: '<&>'.repeat(3000) })) as { text: string; blocks: Json[] };
  const section = (message.blocks[1]!['text'] as { text: string }).text;
  for (const text of [message.text, section]) {
    assert.ok(text.length <= 3000, `${text.length} characters`);
    assert.ok(text.endsWith('…'), 'marked as cut');
    assert.match(text.replace(/&(amp|lt|gt);/g, ''), /^[^&<>]*…$/, 'only whole entities');
  }
});
