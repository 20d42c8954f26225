import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { portOption } from '../../config/port.js';
import { requireStore } from '../../store/location.js';
import { formatRows, parseTabularFormat } from '../../report/tabular.js';
import {
  changeRow,
  findUnmodelledChanges,
  materializeExposures,
  type UnmodelledChange,
  PORT_EXPOSURE_COLUMNS,
  PORT_EXPOSURE_WINDOW_COLUMNS,
  windowRow,
} from '../../ports/index.js';
import { DB_HELP, settingsFor, SINCE_HELP, parseProtocolFlag, PROTOCOL_HELP, TimeFlags } from '../options.js';

interface ExposuresFlags {
  port?: number;
  protocol?: string;
  from?: string;
  since?: string;
  to?: string;
  db?: string;
  format: string;
  windows?: boolean;
  unmodelled?: boolean;
}

const UNMODELLED_COLUMNS = [
  'event_id',
  'event_time',
  'event_source',
  'event_name',
  'actor',
  'access_key_id',
  'source_ip',
  'region',
  'account_id',
  'error_code',
  'why',
];

function unmodelledRow(c: UnmodelledChange): Record<string, unknown> {
  return {
    event_id: c.eventId,
    event_time: c.eventTime,
    event_source: c.eventSource,
    event_name: c.eventName,
    actor: c.actor,
    access_key_id: c.accessKeyId,
    source_ip: c.sourceIp,
    region: c.region,
    account_id: c.accountId,
    error_code: c.errorCode,
    why: c.why,
  };
}

/**
 * `trailbook exposures`: who opened (or closed, or tried to open) a path to a port, judged from
 * CloudTrail config events with exact port, protocol and CIDR semantics. Also stores the result
 * as `port_exposures` / `port_exposure_windows` for `trailbook sql`.
 */
export function register(program: Command): void {
  program
    .command('exposures')
    .description('config-plane changes that open or close a path to a port (security groups, NACLs, listeners, …), and their windows')
    .option('--port <port>', 'only changes that touch this port (e.g. 8443); all changes when absent', portOption)
    .option('--protocol <protocol>', PROTOCOL_HELP)
    .option('--from <time>', 'start (inclusive): ISO-8601 (UTC when no zone), now-2h, 7d')
    .option('--since <duration>', SINCE_HELP)
    .option('--to <time>', 'end (inclusive): ISO-8601 (UTC when no zone), now')
    .option('--db <file>', DB_HELP)
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .option('--windows', 'print exposure windows (an open joined to the close that ended it) instead of changes')
    .option(
      '--unmodelled',
      'print the calls that changed a network path trailbook does not judge port by port (routes, Elastic IPs, public access, …), with what each changes',
    )
    .action(async (flags: ExposuresFlags) => {
      const format = parseTabularFormat(flags.format);
      const protocol = parseProtocolFlag(flags.protocol);
      const port = flags.port;
      const times = new TimeFlags();
      const from = times.start(flags)?.iso;
      const to = times.parse(flags.to, '--to')?.iso;
      times.announce();
      const { db } = settingsFor({ db: flags.db }, ['db']);
      requireStore(db);
      const engine = await DuckDBEngine.open({ path: db });
      try {
        if (flags.unmodelled) {
          const unmodelled = await findUnmodelledChanges(engine, { from, to });
          process.stdout.write(formatRows(format, UNMODELLED_COLUMNS, unmodelled.map(unmodelledRow)));
          return;
        }
        const result = await materializeExposures(engine, { port, protocol, from, to });
        if (flags.windows) {
          process.stdout.write(
            formatRows(
              format,
              PORT_EXPOSURE_WINDOW_COLUMNS.map(([c]) => c),
              result.windows.map(windowRow),
            ),
          );
        } else {
          process.stdout.write(
            formatRows(
              format,
              PORT_EXPOSURE_COLUMNS.map(([c]) => c),
              result.changes.map(changeRow),
            ),
          );
        }
      } finally {
        await engine.close();
      }
    });
}
