import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { TrailbookError } from '../errors.js';
import { type AlertsSetting, parseAlertsValue } from '../alerts/config.js';
import { parseFeedSpec } from '../intel/feeds.js';
import { parsePortProtocol, type PortProtocol } from '../ports/protocol.js';
import { SourceLocator } from '../runbook/location.js';
import { parseQuestionPort } from './port.js';
import { yamlValue } from '../yaml-value.js';

/** The project file, found like `.git`: in the working directory or the nearest folder above it. */
export const CONFIG_FILE_NAME = 'trailbook.yaml';

/** What trailbook.yaml may say (docs/config.md); every path in it is relative to the file. */
const ConfigSchema = z
  .object({
    store: z.string().min(1).optional(),
    intel: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    trusted: z.string().min(1).optional(),
    /** An alerts file (relative to this one), or the sinks inline (docs/alerts.md); checked in full by src/alerts/config.ts. */
    alerts: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    parameters: z
      .object({
        port: z.union([z.number(), z.string()]).optional(),
        protocol: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The file's settings, checked and with paths made absolute. */
export interface ProjectConfig {
  path: string;
  store?: string;
  intel?: string[];
  trusted?: string;
  port?: number;
  protocol?: PortProtocol;
  /** Where alerts go (`trailbook watch`): the alerts file, read when used, or the sinks written inline. */
  alerts?: AlertsSetting;
}

export function findConfigFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const invalid = (message: string, location: string, hint = 'see docs/config.md, or write a commented one with `trailbook init`') =>
  new TrailbookError('CONFIG', message, { location, hint });

/**
 * Two tiers, like a runbook's lint: first YAML and structure (syntax, unknown keys, types, each
 * at file:line:col), then meaning (a port, a protocol, feed and trusted files that exist).
 */
export function readConfigFile(path: string): ProjectConfig {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const locator = new SourceLocator(path, text, document, lines);
  const syntax = document.errors[0];
  if (syntax) throw invalid(`${CONFIG_FILE_NAME}: ${syntax.message.split('\n')[0]}`, locator.atOffset(syntax.pos[0]));
  const value = yamlValue(document);
  if (!value.ok) throw invalid(`${CONFIG_FILE_NAME}: ${value.reason}`, `${path}:1:1`);
  const raw: unknown = value.value ?? {};
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path_ = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      throw invalid(`${CONFIG_FILE_NAME}: unknown setting "${[...path_, key].join('.')}"`, locator.at([...path_, key], { key: true }));
    }
    throw invalid(`${CONFIG_FILE_NAME}: ${path_.join('.') || 'the file'}: ${issue.message}`, locator.at(path_));
  }

  // Meaning.
  const data = parsed.data;
  const base = dirname(path);
  const fromFile = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const config: ProjectConfig = { path };
  if (data.store !== undefined) config.store = fromFile(data.store);
  if (data.trusted !== undefined) {
    config.trusted = fromFile(data.trusted);
    if (!existsSync(config.trusted)) throw invalid(`${CONFIG_FILE_NAME}: trusted file ${config.trusted} does not exist`, locator.at(['trusted']));
  }
  if (data.intel !== undefined) {
    const specs = typeof data.intel === 'string' ? [data.intel] : data.intel;
    config.intel = specs.map((spec, i) => {
      const where = locator.at(typeof data.intel === 'string' ? ['intel'] : ['intel', i]);
      let feedPath: string;
      try {
        feedPath = parseFeedSpec(spec).path;
      } catch (error) {
        throw invalid(`${CONFIG_FILE_NAME}: intel "${spec}": ${(error as Error).message}`, where);
      }
      // The path is the end of the spec (after FORMAT,options:), so only that part moves.
      const resolved = fromFile(feedPath);
      if (!existsSync(resolved)) throw invalid(`${CONFIG_FILE_NAME}: intel feed ${resolved} does not exist`, where);
      return spec.slice(0, spec.length - feedPath.length) + resolved;
    });
  }
  if (typeof data.alerts === 'string') {
    const file = fromFile(data.alerts);
    if (!existsSync(file)) throw invalid(`${CONFIG_FILE_NAME}: alerts file ${file} does not exist`, locator.at(['alerts']));
    config.alerts = { file };
  } else if (data.alerts !== undefined) {
    config.alerts = parseAlertsValue(data.alerts, locator, ['alerts'], CONFIG_FILE_NAME);
  }
  const parameters = data.parameters ?? {};
  if (parameters.port !== undefined) {
    config.port = parseQuestionPort(parameters.port, `${CONFIG_FILE_NAME}: parameters.port`, 'CONFIG', locator.at(['parameters', 'port']));
  }
  if (parameters.protocol !== undefined) {
    const protocol = parsePortProtocol(parameters.protocol);
    if (!protocol)
      throw invalid(`${CONFIG_FILE_NAME}: parameters.protocol "${parameters.protocol}" is not tcp, udp or any`, locator.at(['parameters', 'protocol']));
    config.protocol = protocol;
  }
  return config;
}
