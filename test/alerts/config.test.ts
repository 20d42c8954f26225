import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertsConfigFromSettings, buildSinks, loadAlertsConfig, passesMinAction, quickWebhookConfig } from '../../src/alerts/config.js';
import { readConfigFile } from '../../src/config/file.js';
import { TrailbookError } from '../../src/errors.js';
import { tempDir } from '../helpers/fixtures.js';
import { alertOf, findingDecided, receiver, sampleReport } from './helpers.js';

/**
 * The alerts configuration (docs/alerts.md): an alerts file or `alerts:` in trailbook.yaml,
 * secrets only from environment variables it names, two tiers of checks with file:line:col.
 */

const ALL_TYPES = `# where alerts go
sinks:
  - name: hook
    type: webhook
    url: https://alerts.example.com/trailbook
    secretEnv: HOOK_SECRET
  - name: chat
    type: slack
    urlEnv: SLACK_WEBHOOK_URL
    minAction: escalate
  - name: oncall
    type: pagerduty
    routingKeyEnv: PD_ROUTING_KEY
    minAction: isolate
  - name: issues
    type: github
    repo: acme/security
    tokenEnv: GITHUB_TOKEN
    labels: [security]
  - name: tickets
    type: jira
    baseUrl: https://acme.atlassian.net
    project: SEC
    emailEnv: JIRA_EMAIL
    tokenEnv: JIRA_TOKEN
  - name: lake
    type: ocsf-folder
    folder: findings
`;

function write(t: { after: (fn: () => void) => void }, text: string, name = 'alerts.yaml'): string {
  const dir = tempDir(t);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): TrailbookError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TrailbookError, `a TrailbookError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a configuration error');
}

test('an alerts file with every sink type loads; the OCSF folder is relative to the file; each key keeps its line', (t) => {
  const path = write(t, ALL_TYPES);
  const config = loadAlertsConfig(path);
  assert.equal(config.source, path);
  assert.deepEqual(
    config.sinks.map((s) => [s.name, s.type, s.minAction ?? null]),
    [
      ['hook', 'webhook', null],
      ['chat', 'slack', 'escalate'],
      ['oncall', 'pagerduty', 'isolate'],
      ['issues', 'github', null],
      ['tickets', 'jira', null],
      ['lake', 'ocsf-folder', null],
    ],
  );
  const lake = config.sinks[5]!;
  assert.equal(lake.type === 'ocsf-folder' && lake.folder, join(path, '..', 'findings'));
  assert.equal(config.sinks[2]!.keyLocations['routingKeyEnv'], `${path}:13:20`);
});

for (const [what, entry, line, pattern] of [
  ['a secret key', '    secret: hunter2', 5, /"secret" would put a secret in the file.*secretEnv/],
  ['a token key', '    token: ghp_abc', 5, /"token" would put a secret in the file.*tokenEnv/],
  ['a routing key', '    routingKey: R0123', 5, /routingKeyEnv/],
  ['a Slack incoming-webhook URL', '    url: https://hooks.slack.com/services/T000/B000/XXXX', 5, /Slack incoming-webhook URL.*urlEnv/],
  ['a URL with a password', '    url: https://user:pw@alerts.example.com/x', 5, /credentials in the URL/],
] as const) {
  test(`a literal secret in the file is refused: ${what}, at its line`, (t) => {
    const path = write(t, `sinks:\n  - name: hook\n    type: webhook\n    secretEnv: HOOK_SECRET\n${entry}\n`);
    const error = configError(() => loadAlertsConfig(path));
    assert.equal(error.code, 'CONFIG');
    assert.match(error.message, pattern);
    assert.equal(error.location?.split(':').slice(-2)[0], String(line), error.location);
    assert.ok(error.location?.startsWith(path));
    // The refused value is not repeated back.
    const value = entry.split(': ')[1]!;
    assert.ok(!error.message.includes(value) && !(error.hint ?? '').includes(value), error.message);
  });
}

for (const [what, text, line, pattern] of [
  ['an unknown key', 'sinks:\n  - name: a\n    type: slack\n    urlEnv: X\n    channel: "#sec"\n', 5, /unknown key "sinks.0.channel"/],
  ['an unknown type', 'sinks:\n  - name: a\n    type: teams\n', 3, /type must be one of webhook, slack/],
  ['a missing variable name', 'sinks:\n  - name: a\n    type: pagerduty\n', 2, /routingKeyEnv/],
  ['a variable name that is not one', 'sinks:\n  - name: a\n    type: slack\n    urlEnv: "$SLACK URL"\n', 4, /name of an environment variable/],
  ['a URL that is not http(s)', 'sinks:\n  - name: a\n    type: webhook\n    url: ftp://example.com/x\n', 4, /http\(s\) URL/],
  [
    'two sinks of one name',
    'sinks:\n  - name: a\n    type: slack\n    urlEnv: X\n  - name: a\n    type: slack\n    urlEnv: Y\n',
    5,
    /two sinks are named "a" \(the other at .*:2:/,
  ],
  ['a webhook with neither url nor urlEnv', 'sinks:\n  - name: a\n    type: webhook\n', 2, /exactly one of url and urlEnv/],
  ['a bad minAction', 'sinks:\n  - name: a\n    type: slack\n    urlEnv: X\n    minAction: false-positive\n', 5, /minAction/],
  ['no sinks', 'sinks: []\n', 1, /at least one sink/],
  ['YAML syntax', 'sinks:\n  - name: a\n   type: [\n', 3, /alerts file: /],
] as const) {
  test(`an alerts file with ${what} is a configuration error at file:line`, (t) => {
    const path = write(t, text);
    const error = configError(() => loadAlertsConfig(path));
    assert.equal(error.code, 'CONFIG', error.message);
    assert.match(error.message, pattern);
    assert.match(error.location ?? '', new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+$`), `${error.location} for ${error.message}`);
  });
}

test('an alerts file that does not exist is an input error', (t) => {
  const error = configError(() => loadAlertsConfig(join(tempDir(t), 'missing.yaml')));
  assert.equal(error.code, 'INPUT');
});

test('buildSinks: an unset variable is a configuration error at the key naming it; a URL variable must be http(s), its value never shown', (t) => {
  const path = write(t, ALL_TYPES);
  const config = loadAlertsConfig(path);
  const env = {
    HOOK_SECRET: 'h',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/SECRETPART',
    PD_ROUTING_KEY: 'p',
    GITHUB_TOKEN: 'g',
    JIRA_EMAIL: 'e',
    JIRA_TOKEN: 'j',
  };
  assert.deepEqual(
    buildSinks(config, env).map((s) => s.name),
    ['hook', 'chat', 'oncall', 'issues', 'tickets', 'lake'],
  );

  const unset = configError(() => buildSinks(config, { ...env, PD_ROUTING_KEY: '' }));
  assert.equal(unset.code, 'CONFIG');
  assert.match(unset.message, /sink "oncall": the environment variable PD_ROUTING_KEY \(routingKeyEnv\) is not set/);
  assert.equal(unset.location, `${path}:13:20`);

  const notHttp = configError(() => buildSinks(config, { ...env, SLACK_WEBHOOK_URL: 'javascript:SECRETPART' }));
  assert.match(notHttp.message, /SLACK_WEBHOOK_URL.*http\(s\)/);
  assert.equal(notHttp.location, `${path}:9:13`);
  assert.ok(!notHttp.message.includes('SECRETPART'), notHttp.message);
});

test('minAction: a sink hears alerts at its level and above; a resolved alert goes where the alert it closes went', async (t) => {
  const report = await sampleReport(t);
  const server = await receiver(t);
  const path = write(
    t,
    ['isolate', 'escalate', 'ticket']
      .map((level) => `  - { name: ${level}-only, type: webhook, url: "${server.url}/${level}", minAction: ${level} }`)
      .join('\n')
      .replace(/^/, 'sinks:\n') + `\n  - { name: everything, type: webhook, url: "${server.url}/default" }\n`,
  );
  const sinks = buildSinks(loadAlertsConfig(path), {});
  const alerts = [
    alertOf(report, findingDecided(report, 'isolate')),
    alertOf(report, findingDecided(report, 'escalate')),
    alertOf(report, findingDecided(report, 'ticket')),
  ];
  const escalated = findingDecided(report, 'escalate');
  const resolved = alertOf(report, { ...escalated, decision: { ...escalated.decision, action: 'false-positive' } }, 'resolved', { previousAction: 'escalate' });
  for (const alert of [...alerts, resolved]) for (const sink of sinks) await sink.send(alert);

  const heard = (level: string) => server.requests.filter((r) => r.url === `/${level}`).map((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id);
  assert.deepEqual(heard('isolate'), [alerts[0]!.id]);
  assert.deepEqual(heard('escalate'), [alerts[0]!.id, alerts[1]!.id, resolved.id]);
  assert.deepEqual(heard('ticket'), [...alerts.map((a) => a.id), resolved.id]);
  assert.deepEqual(heard('default'), [...alerts.map((a) => a.id), resolved.id]);
  assert.equal(passesMinAction('isolate', resolved), false, 'the isolate-only sink never had the escalate alert');
});

test('trailbook.yaml alerts: inline sinks are checked at their trailbook.yaml line; a path is relative to the file', (t) => {
  const inline = write(t, 'store: s.duckdb\nalerts:\n  sinks:\n    - name: chat\n      type: slack\n      urlEnv: SLACK_URL\n', 'trailbook.yaml');
  const project = readConfigFile(inline).alerts;
  assert.ok(project && 'sinks' in project);
  assert.equal(project.sinks[0]!.keyLocations['urlEnv'], `${inline}:6:15`);

  const bad = write(t, 'alerts:\n  sinks:\n    - name: chat\n      type: slack\n      url: https://hooks.slack.com/services/T/B/C\n', 'trailbook.yaml');
  const refused = configError(() => readConfigFile(bad));
  assert.equal(refused.code, 'CONFIG');
  assert.match(refused.message, /^trailbook\.yaml: url is a Slack incoming-webhook URL/);
  assert.equal(refused.location, `${bad}:5:12`);

  const dir = tempDir(t);
  writeFileSync(join(dir, 'alerts.yaml'), ALL_TYPES);
  writeFileSync(join(dir, 'trailbook.yaml'), 'alerts: alerts.yaml\n');
  const byPath = readConfigFile(join(dir, 'trailbook.yaml')).alerts;
  assert.deepEqual(byPath, { file: join(dir, 'alerts.yaml') });
  assert.equal(alertsConfigFromSettings({ fromProject: byPath })?.sinks.length, 6);

  writeFileSync(join(dir, 'trailbook.yaml'), '\nalerts: nowhere.yaml\n');
  const missing = configError(() => readConfigFile(join(dir, 'trailbook.yaml')));
  assert.match(missing.message, /alerts file .*nowhere\.yaml does not exist/);
  assert.equal(missing.location, `${join(dir, 'trailbook.yaml')}:2:9`);
});

test('--alerts replaces trailbook.yaml alerts; --webhook adds one webhook sink, signed only when TRAILBOOK_WEBHOOK_SECRET is set', (t) => {
  const file = write(t, 'sinks:\n  - { name: chat, type: slack, urlEnv: SLACK_URL }\n');
  const inline = loadAlertsConfig(write(t, 'sinks:\n  - { name: other, type: slack, urlEnv: X }\n'));
  assert.equal(alertsConfigFromSettings({}), undefined);
  assert.deepEqual(
    alertsConfigFromSettings({ alertsFile: file, fromProject: inline })?.sinks.map((s) => s.name),
    ['chat'],
  );
  const both = alertsConfigFromSettings({ fromProject: inline, webhookUrl: 'https://hooks.example.com/x' }, {});
  assert.deepEqual(
    both?.sinks.map((s) => [s.name, s.type]),
    [
      ['other', 'slack'],
      ['webhook', 'webhook'],
    ],
  );

  const unsigned = quickWebhookConfig('http://127.0.0.1:9/x', {});
  assert.equal(unsigned.sinks[0]!.type === 'webhook' && unsigned.sinks[0]!.secretEnv, undefined);
  const signed = quickWebhookConfig('http://127.0.0.1:9/x', { TRAILBOOK_WEBHOOK_SECRET: 'k' });
  assert.equal(signed.sinks[0]!.type === 'webhook' && signed.sinks[0]!.secretEnv, 'TRAILBOOK_WEBHOOK_SECRET');
  assert.equal(buildSinks(signed, { TRAILBOOK_WEBHOOK_SECRET: 'k' }).length, 1);

  const usage = configError(() => quickWebhookConfig('file:///etc/passwd', {}));
  assert.equal(usage.code, 'USAGE');
  const clash = loadAlertsConfig(write(t, 'sinks:\n  - { name: webhook, type: slack, urlEnv: X }\n'));
  assert.match(configError(() => alertsConfigFromSettings({ fromProject: clash, webhookUrl: 'https://x.example/' }, {})).message, /named "webhook"/);
});
