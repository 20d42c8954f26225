import { TrailbookError } from '../errors.js';
import { parsePortProtocol, type PortProtocol } from '../ports/protocol.js';
import type { AlertsSetting } from '../alerts/config.js';
import { findConfigFile, readConfigFile, type ProjectConfig } from './file.js';
import { parseQuestionPort } from './port.js';

/**
 * The settings a command runs with, each from the first place that gives it: a flag, then a
 * TRAILBOOK_* environment variable, then trailbook.yaml (found upward from the working
 * directory), then the built-in default — and a record of which place that was, for the report's
 * `inputs.config` (docs/config.md). Re-running on a store without repeating `--intel` and
 * `--trusted` must not silently change the outcome: this is where they are remembered.
 */

/** The store every command uses unless told otherwise: next to the investigation, not global. */
export const DEFAULT_DB = '.trailbook/trailbook.duckdb';
/** The port every port question asks about unless told otherwise (the flagship runbook's). */
export const DEFAULT_PORT = 8443;

export const SETTING_NAMES = ['db', 'intel', 'trusted', 'port', 'protocol'] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export const ENVIRONMENT: Record<SettingName, string> = {
  db: 'TRAILBOOK_DB',
  intel: 'TRAILBOOK_INTEL',
  trusted: 'TRAILBOOK_TRUSTED',
  port: 'TRAILBOOK_PORT',
  protocol: 'TRAILBOOK_PROTOCOL',
};

const FLAGS: Record<SettingName, string> = { db: '--db', intel: '--intel', trusted: '--trusted', port: '--port', protocol: '--protocol' };

/** What the user typed on the command line (undefined: not given). */
export interface GivenFlags {
  db?: string;
  intel?: string[];
  trusted?: string;
  port?: number;
  protocol?: PortProtocol;
}

/** Where each setting came from: `--db`, `TRAILBOOK_DB`, the file's path, or `default`. */
export interface ConfigProvenance {
  file: string | null;
  from: Record<string, string>;
}

export interface Settings {
  db: string;
  intel: string[];
  trusted: string | undefined;
  port: number;
  protocol: PortProtocol | undefined;
  provenance: ConfigProvenance;
  /** trailbook.yaml's `alerts:` (an alerts file or the sinks inline), for `watch`; no flag or variable sets it. */
  alerts?: AlertsSetting;
}

export interface SettingsContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The settings this command uses: only they are recorded in the provenance. */
  uses: readonly SettingName[];
}

type Values = { [K in SettingName]?: Settings[K] };

function fromEnvironment(env: SettingsContext['env']): Values {
  const value = (name: SettingName) => {
    const text = env[ENVIRONMENT[name]]?.trim();
    return text ? text : undefined;
  };
  const out: Values = {};
  const db = value('db');
  if (db) out.db = db;
  const intel = value('intel');
  if (intel)
    out.intel = intel
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const trusted = value('trusted');
  if (trusted) out.trusted = trusted;
  const port = value('port');
  if (port) out.port = parseQuestionPort(port, ENVIRONMENT.port, 'CONFIG');
  const protocol = value('protocol');
  if (protocol) {
    out.protocol = parsePortProtocol(protocol);
    if (!out.protocol)
      throw new TrailbookError('CONFIG', `${ENVIRONMENT.protocol} "${protocol}" is not tcp, udp or any`, { hint: 'unset it, or e.g. TRAILBOOK_PROTOCOL=udp' });
  }
  return out;
}

function fromFile(config: ProjectConfig | undefined): Values {
  if (!config) return {};
  const out: Values = {};
  if (config.store !== undefined) out.db = config.store;
  if (config.intel !== undefined) out.intel = config.intel;
  if (config.trusted !== undefined) out.trusted = config.trusted;
  if (config.port !== undefined) out.port = config.port;
  if (config.protocol !== undefined) out.protocol = config.protocol;
  return out;
}

export function resolveSettings(flags: GivenFlags, context: SettingsContext): Settings {
  const env = fromEnvironment(context.env);
  const configPath = findConfigFile(context.cwd);
  const project = configPath === undefined ? undefined : readConfigFile(configPath);
  const file = fromFile(project);
  const defaults: Values = { db: DEFAULT_DB, intel: [], port: DEFAULT_PORT };
  const provenance: ConfigProvenance = { file: configPath ?? null, from: {} };
  const layers: Array<[Values, (name: SettingName) => string]> = [
    [flags as Values, (name) => FLAGS[name]],
    [env, (name) => ENVIRONMENT[name]],
    [file, () => configPath!],
    [defaults, () => 'default'],
  ];
  const pick = <K extends SettingName>(name: K): Settings[K] | undefined => {
    for (const [values, source] of layers) {
      const value = values[name];
      if (value === undefined) continue;
      if (context.uses.includes(name)) provenance.from[name] = source(name);
      return value as Settings[K];
    }
    if (context.uses.includes(name)) provenance.from[name] = 'default';
    return undefined;
  };
  return {
    db: pick('db')!,
    intel: pick('intel')!,
    trusted: pick('trusted'),
    port: pick('port')!,
    protocol: pick('protocol'),
    provenance,
    ...(project?.alerts ? { alerts: project.alerts } : {}),
  };
}
