import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { TrailbookError } from '../../errors.js';
import { ingestPaths } from '../../ingest/ingest.js';
import { assertPathsExist } from '../../sources/local.js';
import { formatIngestSummary } from '../../report/ingest-summary.js';
import { collectList, DB_HELP, settingsFor, TimeFlags } from '../options.js';
import { ingestProgressText, progressBar } from '../progress.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-flags.js';
import { nothingReadError } from '../../report/ingest-summary.js';
import { addS3Options, s3SourceFor, type S3Flags } from '../s3-flags.js';

interface IngestFlags extends LimitFlags, S3Flags {
  db?: string;
  from?: string;
  to?: string;
  account?: string[];
  region?: string[];
  strict?: boolean;
  vpcflow?: boolean;
  json?: boolean;
  progress: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('ingest')
    .description('read CloudTrail and VPC Flow Logs (folders in the S3 layout, files, s3:// locations; gzip or not) into the local store')
    .argument('<paths...>', 'files or folders, read recursively, or s3://bucket/prefix (docs/s3.md)')
    .option('--db <file>', DB_HELP)
    .option('--from <time>', 'skip events before this time (and folders delivered before it): ISO-8601 (UTC when no zone), now-2h, 7d')
    .option('--to <time>', 'skip events after this time: ISO-8601 (UTC when no zone), now')
    .option('--account <id>', 'only these accounts (repeat or comma-separate)', collectList)
    .option('--region <name>', 'only these regions (repeat or comma-separate)', collectList)
    .option('--vpcflow', 'treat every file as a VPC flow log (otherwise detected by path and first line)')
    .option('--strict', 'fail when any file or record is skipped')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar');
  addS3Options(addLimitOptions(command)).action(async (paths: string[], flags: IngestFlags) => {
    const limits = limitsFromFlags(flags);
    const times = new TimeFlags();
    const from = times.parse(flags.from, '--from');
    const to = times.parse(flags.to, '--to');
    times.announce();
    const { db } = settingsFor({ db: flags.db }, ['db']);
    // A path that does not exist is an error before the store is opened (or created).
    await assertPathsExist(paths);
    const s3 = await s3SourceFor(paths, flags);
    const engine = await DuckDBEngine.open({ path: db });
    const bar = progressBar('ingest', flags.progress && !flags.json);
    try {
      const summary = await ingestPaths(engine, paths, {
        from: from && new Date(from.ms),
        to: to && new Date(to.ms),
        accounts: flags.account,
        regions: flags.region,
        kind: flags.vpcflow ? 'vpcflow' : 'auto',
        limits,
        s3,
        onProgress: (p) => bar.update(p.filesDone, p.filesTotal, ingestProgressText(p, { events: true })),
      });
      bar.done();
      process.stdout.write(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatIngestSummary(summary, db));
      const nothing = nothingReadError(summary, 'nothing could be read');
      if (nothing) throw nothing;
      if (flags.strict && (summary.files.skipped > 0 || summary.events.skipped > 0 || summary.flows.bad > 0)) {
        throw new TrailbookError('STRICT_SKIPS', `--strict: ${summary.files.skipped} files and ${summary.events.skipped} records were skipped`);
      }
    } finally {
      bar.done();
      await engine.close();
    }
  });
}
