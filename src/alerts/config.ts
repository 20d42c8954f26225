import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { actionSeverity } from '../decide/actions.js';
import { TrailbookError } from '../errors.js';
import { SourceLocator, type YamlPath } from '../runbook/location.js';
import { yamlValue } from '../yaml-value.js';
import type { Alert } from './alert.js';
import type { Sink } from './sink.js';
import { githubSink } from './sinks/github.js';
import { jiraSink } from './sinks/jira.js';
import { ocsfFolderSink } from './sinks/ocsf-folder.js';
import { pagerDutySink } from './sinks/pagerduty.js';
import { slackSink } from './sinks/slack.js';
import { webhookSink } from './sinks/webhook.js';

/**
 * Where alerts go (docs/alerts.md): a YAML file (`--alerts FILE`, or `alerts:` in trailbook.yaml)
 * listing sinks. Secrets are never in the file, only the names of the environment variables that
 * hold them; a literal secret is refused. Checked in two tiers like trailbook.yaml and runbooks:
 * structure (zod) when the file is read, each problem at file:line:col; then the environment
 * (every named variable set, URLs from variables http(s)) when the sinks are built.
 */

/** The least severe decision a sink is told about; `ticket` (the default) means every alert. */
export const MIN_ACTIONS = ['isolate', 'escalate', 'ticket'] as const;
export type MinAction = (typeof MIN_ACTIONS)[number];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = z.string().regex(ENV_NAME, 'must be the name of an environment variable (letters, digits, _)');
const httpUrl = z.string().min(1);

const common = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  minAction: z.enum(MIN_ACTIONS).optional(),
};

const SinkSchema = z.discriminatedUnion('type', [
  z.object({ ...common, type: z.literal('webhook'), url: httpUrl.optional(), urlEnv: envName.optional(), secretEnv: envName.optional() }).strict(),
  z.object({ ...common, type: z.literal('slack'), urlEnv: envName }).strict(),
  z.object({ ...common, type: z.literal('pagerduty'), routingKeyEnv: envName, url: httpUrl.optional(), source: z.string().min(1).optional() }).strict(),
  z
    .object({
      ...common,
      type: z.literal('github'),
      repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name'),
      tokenEnv: envName,
      apiUrl: httpUrl.optional(),
      labels: z.array(z.string().min(1)).optional(),
    })
    .strict(),
  z
    .object({
      ...common,
      type: z.literal('jira'),
      baseUrl: httpUrl,
      project: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be a Jira project key (upper-case letters, digits, _)'),
      issueType: z.string().min(1).optional(),
      emailEnv: envName,
      tokenEnv: envName,
    })
    .strict(),
  z.object({ ...common, type: z.literal('ocsf-folder'), folder: z.string().min(1) }).strict(),
]);

const AlertsSchema = z.object({ sinks: z.array(z.unknown()).min(1, 'name at least one sink') }).strict();

export type SinkSettings = z.infer<typeof SinkSchema>;
export type SinkType = SinkSettings['type'];

/** One configured sink, with where each of its keys was written (for the second tier's messages). */
export type SinkConfig = SinkSettings & {
  /** `file:line:col` of the sink's entry. */
  location: string;
  /** `file:line:col` of each key's value. */
  keyLocations: Record<string, string>;
};

export interface AlertsConfig {
  /** The file the sinks were written in (an alerts file or trailbook.yaml), or `--webhook`. */
  source: string;
  sinks: SinkConfig[];
}

/** What trailbook.yaml's `alerts:` holds once its file is read: a path to an alerts file (checked when used), or the sinks inline. */
export type AlertsSetting = { file: string } | AlertsConfig;

/** Keys that would hold a secret itself: refused with a pointer to the `…Env` key that names the variable instead. */
const LITERAL_SECRET_KEYS: Record<string, string> = {
  secret: 'secretEnv',
  token: 'tokenEnv',
  routingKey: 'routingKeyEnv',
  routing_key: 'routingKeyEnv',
  password: 'tokenEnv',
  apiKey: 'tokenEnv',
  email: 'emailEnv',
};

const invalid = (message: string, location: string) =>
  new TrailbookError('CONFIG', message, { location, hint: 'see docs/alerts.md: secrets come from environment variables named in the file' });

/**
 * Checks the alerts value found at `prefix` of a YAML document (the whole of an alerts file, or
 * `alerts` in trailbook.yaml): structure, literal secrets, URLs, unique names. Paths (an OCSF
 * folder) are made absolute against the file's folder.
 */
export function parseAlertsValue(raw: unknown, locator: SourceLocator, prefix: YamlPath, label: string): AlertsConfig {
  const parsed = AlertsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw zodProblem(parsed.error, locator, prefix, label);
  const base = dirname(locator.file);
  const names = new Map<string, string>();
  const sinks = parsed.data.sinks.map((entry, i): SinkConfig => {
    const at = [...prefix, 'sinks', i] as const;
    refuseLiteralSecrets(entry, locator, at, label);
    const sink = SinkSchema.safeParse(entry);
    if (!sink.success) throw zodProblem(sink.error, locator, at, label);
    const data = sink.data;
    const keyLocations = Object.fromEntries(Object.keys(data).map((key) => [key, locator.at([...at, key])]));
    const where = (key: string) => keyLocations[key] ?? locator.at(at);
    const previous = names.get(data.name);
    if (previous) throw invalid(`${label}: two sinks are named "${data.name}" (the other at ${previous})`, where('name'));
    names.set(data.name, where('name'));
    for (const key of ['url', 'apiUrl', 'baseUrl'] as const) {
      const value = (data as Record<string, unknown>)[key];
      if (typeof value === 'string') checkHttpUrl(value, `${label}: sink "${data.name}" ${key}`, where(key));
    }
    if (data.type === 'webhook' && (data.url === undefined) === (data.urlEnv === undefined))
      throw invalid(`${label}: webhook sink "${data.name}" needs exactly one of url and urlEnv`, locator.at(at));
    const config = { ...data, location: locator.at(at), keyLocations } as SinkConfig;
    if (config.type === 'ocsf-folder') config.folder = isAbsolute(config.folder) ? config.folder : resolve(base, config.folder);
    return config;
  });
  return { source: locator.file, sinks };
}

function zodProblem(error: z.ZodError, locator: SourceLocator, prefix: YamlPath, label: string): TrailbookError {
  const issue = error.issues[0]!;
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const shown = path.join('.') || 'the file';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return invalid(`${label}: unknown key "${[...path, key].join('.')}"`, locator.at([...path, key], { key: true }));
  }
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'type') {
    return invalid(`${label}: ${shown}: the sink type must be one of webhook, slack, pagerduty, github, jira, ocsf-folder`, locator.at(path));
  }
  return invalid(`${label}: ${shown}: ${issue.message}`, locator.at(path));
}

/** A sink entry that carries a secret itself: a secret key, a Slack incoming-webhook URL, a URL with a password. */
function refuseLiteralSecrets(entry: unknown, locator: SourceLocator, at: YamlPath, label: string): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return;
  for (const [key, value] of Object.entries(entry)) {
    const instead = LITERAL_SECRET_KEYS[key];
    if (instead)
      throw invalid(
        `${label}: "${key}" would put a secret in the file; set it in an environment variable and name that variable in ${instead}`,
        locator.at([...at, key], { key: true }),
      );
    if (typeof value !== 'string') continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      continue;
    }
    if (/(^|\.)hooks\.slack\.com$/i.test(url.hostname))
      throw invalid(
        `${label}: ${key} is a Slack incoming-webhook URL, which is itself a secret; put it in an environment variable and name it in urlEnv`,
        locator.at([...at, key]),
      );
    if (url.username || url.password)
      throw invalid(`${label}: ${key} carries credentials in the URL; use the sink's …Env keys instead`, locator.at([...at, key]));
  }
}

function checkHttpUrl(value: string, what: string, location: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${what} is not a URL`, location);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${what} must be an http(s) URL, not ${url.protocol}`, location);
}

/** Reads and checks an alerts file (`--alerts FILE`). */
export function loadAlertsConfig(path: string): AlertsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TrailbookError('INPUT', `alerts file ${path} cannot be read (${code ?? 'error'})`, { location: path });
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const locator = new SourceLocator(path, text, document, lines);
  const label = 'alerts file';
  const syntax = document.errors[0];
  if (syntax) throw invalid(`${label}: ${syntax.message.split('\n')[0]}`, locator.atOffset(syntax.pos[0]));
  const value = yamlValue(document);
  if (!value.ok) throw invalid(`${label}: ${value.reason}`, `${path}:1:1`);
  return parseAlertsValue(value.value, locator, [], label);
}

/** The secret of the `--webhook URL` quick case. */
export const WEBHOOK_SECRET_ENV = 'TRAILBOOK_WEBHOOK_SECRET';

/** `--webhook URL`: one generic webhook sink named `webhook`, signed when TRAILBOOK_WEBHOOK_SECRET is set. */
export function quickWebhookConfig(url: string, env: NodeJS.ProcessEnv = process.env): AlertsConfig {
  try {
    checkHttpUrl(url, '--webhook', '--webhook');
  } catch (error) {
    throw new TrailbookError('USAGE', (error as Error).message, { hint: 'e.g. --webhook https://alerts.example.com/trailbook' });
  }
  const secretEnv = env[WEBHOOK_SECRET_ENV] ? { secretEnv: WEBHOOK_SECRET_ENV } : {};
  return { source: '--webhook', sinks: [{ name: 'webhook', type: 'webhook', url, ...secretEnv, location: '--webhook', keyLocations: {} }] };
}

/**
 * The sinks a command uses: `--alerts FILE` replaces trailbook.yaml's `alerts:`; `--webhook URL`
 * adds a generic webhook to either. Undefined when none of the three is given.
 */
export function alertsConfigFromSettings(
  given: { alertsFile?: string; webhookUrl?: string; fromProject?: AlertsSetting },
  env: NodeJS.ProcessEnv = process.env,
): AlertsConfig | undefined {
  const project = given.fromProject;
  const base = given.alertsFile ? loadAlertsConfig(given.alertsFile) : project && 'file' in project ? loadAlertsConfig(project.file) : project;
  if (!given.webhookUrl) return base;
  const quick = quickWebhookConfig(given.webhookUrl, env);
  if (!base) return quick;
  const clash = base.sinks.find((s) => s.name === 'webhook');
  if (clash) throw invalid('a sink is named "webhook", the name --webhook gives its sink; rename it', clash.keyLocations['name'] ?? clash.location);
  return { source: base.source, sinks: [...base.sinks, ...quick.sinks] };
}

/**
 * Whether a sink with this `minAction` is told about the alert. A `resolved` alert goes where the
 * alert it closes went: to sinks that took its previous decision.
 */
export function passesMinAction(minAction: MinAction | undefined, alert: Pick<Alert, 'change' | 'action' | 'previousAction'>): boolean {
  const limit = actionSeverity(minAction ?? 'ticket');
  if (alert.change === 'resolved') return alert.previousAction !== null && actionSeverity(alert.previousAction) <= limit;
  return actionSeverity(alert.action) <= limit;
}

/**
 * The sinks, ready to send: the second tier of checks (every variable the file names is set, a
 * URL read from one is http(s)), each problem at the key that names the variable and never
 * showing its value. A sink with `minAction` ignores the alerts below it (its `send` returns
 * without sending: the alert is delivered as far as that sink is concerned).
 */
export function buildSinks(config: AlertsConfig, env: NodeJS.ProcessEnv = process.env): Sink[] {
  return config.sinks.map((sink) => {
    const where = (key: string) => sink.keyLocations[key] ?? sink.location;
    const secret = (key: string, variable: string): string => {
      const value = env[variable];
      if (!value) throw invalid(`sink "${sink.name}": the environment variable ${variable} (${key}) is not set`, where(key));
      return value;
    };
    const urlFrom = (key: string, variable: string): string => {
      const value = secret(key, variable);
      checkHttpUrl(value, `sink "${sink.name}": the environment variable ${variable} (${key})`, where(key));
      return value;
    };
    let built: Sink;
    switch (sink.type) {
      case 'webhook':
        built = webhookSink({
          name: sink.name,
          url: sink.url ?? urlFrom('urlEnv', sink.urlEnv!),
          ...(sink.secretEnv ? { secret: secret('secretEnv', sink.secretEnv) } : {}),
        });
        break;
      case 'slack':
        built = slackSink({ name: sink.name, url: urlFrom('urlEnv', sink.urlEnv) });
        break;
      case 'pagerduty':
        built = pagerDutySink({
          name: sink.name,
          routingKey: secret('routingKeyEnv', sink.routingKeyEnv),
          ...(sink.url ? { url: sink.url } : {}),
          ...(sink.source ? { source: sink.source } : {}),
        });
        break;
      case 'github':
        built = githubSink({
          name: sink.name,
          repo: sink.repo,
          token: secret('tokenEnv', sink.tokenEnv),
          ...(sink.apiUrl ? { apiUrl: sink.apiUrl } : {}),
          ...(sink.labels ? { labels: sink.labels } : {}),
        });
        break;
      case 'jira':
        built = jiraSink({
          name: sink.name,
          baseUrl: sink.baseUrl,
          project: sink.project,
          ...(sink.issueType ? { issueType: sink.issueType } : {}),
          email: secret('emailEnv', sink.emailEnv),
          token: secret('tokenEnv', sink.tokenEnv),
        });
        break;
      case 'ocsf-folder':
        built = ocsfFolderSink({ name: sink.name, folder: sink.folder });
        break;
    }
    const minAction = sink.minAction;
    return {
      name: built.name,
      async send(alert: Alert) {
        if (passesMinAction(minAction, alert)) await built.send(alert);
      },
    };
  });
}
