import { join } from 'node:path';
import { Option } from 'commander';
import { BUNDLED_RUNBOOKS } from '../runbook/resolve.js';
import { parseTimeFlag, parseTimeText, utcNote, type ParsedTime } from '../time.js';
import { TrailbookError } from '../errors.js';
import { parseParamArgs } from '../runbook/compile.js';
import { parsePortProtocol, type PortProtocol } from '../ports/protocol.js';
import { DEFAULT_DB, DEFAULT_PORT, resolveSettings, type GivenFlags, type SettingName, type Settings } from '../config/settings.js';

export { DEFAULT_DB, DEFAULT_PORT } from '../config/settings.js';

/** `--db` on every command with a store: the default comes from src/config (flag > env > trailbook.yaml > default). */
export const DB_HELP = `the store (default: TRAILBOOK_DB, else trailbook.yaml's store, else ${DEFAULT_DB})`;

/** `--port` of a port question: 1-65535, once (config/port.ts); its default is a setting too. */
export const PORT_HELP = `the port under investigation (default: TRAILBOOK_PORT, else trailbook.yaml's parameters.port, else ${DEFAULT_PORT})`;

/** The settings of this run (src/config/settings.ts), from the flags the user gave, the environment and trailbook.yaml. */
export function settingsFor(flags: GivenFlags, uses: readonly SettingName[]): Settings {
  return resolveSettings(flags, { cwd: process.cwd(), env: process.env, uses });
}

/**
 * The time flags of one command run: each read by the one parser (src/time.ts) against the same
 * `now`, so `--from 24h --to now` is one consistent window; flags given without a zone are
 * named once on stderr (never on stdout, which may be JSON).
 */
export class TimeFlags {
  private readonly assumedUtc: string[] = [];

  constructor(readonly now: Date = new Date()) {}

  /** `now`: what relative forms count from, when not the run's (a runbook plan's `--now`). */
  parse(value: string | undefined, flag: string, now: Date = this.now): ParsedTime | undefined {
    return value === undefined ? undefined : parseTimeFlag(value, flag, now, this.assumedUtc);
  }

  /**
   * For values another check validates with its own report (runbook parameters: every problem
   * at once): only notes a zone-less time; the value is left as given either way.
   */
  noteUtc(value: string, flag: string, now: Date = this.now): void {
    const parsed = parseTimeText(value, now);
    if (parsed.ok && parsed.assumedUtc) this.assumedUtc.push(`${flag} ${value.trim()}`);
  }

  /**
   * The start of the window: `--from`, or `--since` (the same parser: `--since 24h` is
   * `--from 24h`, that long before now). Both at once is a usage error, never a silent choice.
   */
  start(flags: { from?: string; since?: string }): ParsedTime | undefined {
    if (flags.from !== undefined && flags.since !== undefined) {
      throw new TrailbookError('USAGE', `--since ${flags.since} and --from ${flags.from} both set the start of the window`, {
        hint: 'give one of them: --since 24h is the same as --from 24h (from 24 hours ago)',
      });
    }
    return flags.since !== undefined ? this.parse(flags.since, '--since') : this.parse(flags.from, '--from');
  }

  /** Prints the UTC note, if any; call once, after every flag is parsed. */
  announce(): void {
    const note = utcNote(this.assumedUtc);
    if (note !== undefined) process.stderr.write(note);
  }
}

/** `--protocol`: the transport of the port question (ports/protocol.ts), checked once for every command. */
export const PROTOCOL_HELP = 'transport of the port: tcp | udp | any (default tcp: 8443 is HTTPS; UDP 8443 is QUIC, ask for it by name)';

export function parseProtocolFlag(value: string | undefined): PortProtocol | undefined {
  if (value === undefined) return undefined;
  const protocol = parsePortProtocol(value);
  if (protocol === undefined) throw new TrailbookError('USAGE', `--protocol "${value}" is not tcp, udp or any`, { hint: 'e.g. --protocol udp' });
  return protocol;
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** `--since`: the start of the window as a time back from now; the same parser as `--from` (TimeFlags.start). */
export const SINCE_HELP = 'start of the window, back from now: 24h, 7d, 30m (or any --from time); not with --from';

/** The port runbook shipped with trailbook. */
export const PORT_RUNBOOK = join(BUNDLED_RUNBOOKS, 'port-exposure');

/** `--runbook <dir>`, defaulting to the bundled port runbook; help names it, not this machine's path. */
export function runbookOption(): Option {
  return new Option('--runbook <dir>', 'the runbook folder').default(PORT_RUNBOOK, 'port-exposure (bundled)');
}

/** A runbook's parameters from `--param k=v` (repeat) and `--since` (its `from`), for `run` and `watch`. */
export function runbookParameters(flags: { param?: string[]; since?: string }, times: TimeFlags): Record<string, unknown> {
  const parameters = parseParamArgs(flags.param ?? []);
  if (flags.since !== undefined) {
    if (parameters['from'] !== undefined) {
      throw new TrailbookError('USAGE', `--since ${flags.since} and --param from=${String(parameters['from'])} both set the start of the window`, {
        hint: 'give one of them: --since 24h is the same as --param from=24h',
      });
    }
    parameters['from'] = times.start({ since: flags.since })!.iso;
  }
  return parameters;
}
