import type { Command } from 'commander';
import { TrailbookError } from '../../errors.js';
import { classify, loadIntel, summarizeFeed, type IntelIndex, type Verdict } from '../../intel/index.js';
import { formatRows, formatTable, parseTabularFormat } from '../../report/tabular.js';
import { sanitizeForTerminal } from '../../report/escape.js';
import { DB_HELP, settingsFor, TimeFlags } from '../options.js';
import { feedsWithInstalledRanges, installAwsRanges } from '../../intel/aws-ranges.js';

interface IntelFlags {
  intel: string[];
  trusted?: string;
  format: string;
  db?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const INTEL_HELP = 'a feed file, repeatable; FORMAT:FILE or FORMAT,key=value:FILE to override detection (see docs/intel.md)';

function parseAt(text: string | undefined): Date {
  const times = new TimeFlags();
  const at = times.parse(text, '--at');
  times.announce();
  return at ? new Date(at.ms) : times.now;
}

/** Splits a long reason on spaces so the table shows it whole (cells are cut at 80 characters). */
function wrap(text: string, width = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function verdictRows(verdicts: readonly Verdict[], wrapped: boolean): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const v of verdicts) {
    const lines = wrapped ? v.reasons.flatMap((r) => wrap(r)) : [v.reasons.join('; ')];
    lines.forEach((reason, i) =>
      rows.push(
        i === 0 ? { value: v.value, verdict: v.verdict, report: v.reportedAs, rule: v.rule, reason } : { value: '', verdict: '', report: '', rule: '', reason },
      ),
    );
  }
  return rows;
}

function inputsOf(index: IntelIndex) {
  return {
    intel: index.feeds.map(summarizeFeed),
    trusted: index.trusted.path ? { path: index.trusted.path, sha256: index.trusted.sha256, conflict: index.trusted.policy.conflict } : null,
  };
}

/**
 * Feeds and trusted file as investigate sees them: the flags, else TRAILBOOK_* or trailbook.yaml
 * (docs/config.md), and the AWS ranges installed beside the store (`intel update`).
 */
function loadIntelSettings(flags: IntelFlags): Promise<IntelIndex> {
  const settings = settingsFor(
    { ...(flags.intel.length ? { intel: flags.intel } : {}), ...(flags.trusted ? { trusted: flags.trusted } : {}), ...(flags.db ? { db: flags.db } : {}) },
    ['intel', 'trusted', 'db'],
  );
  return loadIntel({ feeds: feedsWithInstalledRanges(settings.intel, settings.db), ...(settings.trusted ? { trusted: settings.trusted } : {}) });
}

const AWS_RANGES_DB_HELP = `${DB_HELP}; AWS ranges installed by \`intel update\` are read from its folder`;

export function register(program: Command): void {
  const intel = program.command('intel').description('threat intel and trusted networks: verdicts known / allowed / suspicious, with reasons');

  intel
    .command('check')
    .description('classify addresses (or sourceIPAddress values such as ec2.amazonaws.com) against feeds and trusted networks')
    .argument('<value...>', 'IPv4/IPv6 addresses, "a, b" lists, AWS service principals, vpce- ids')
    .option('--intel <spec>', INTEL_HELP, collect, [] as string[])
    .option('--trusted <file>', 'trusted-networks YAML (see examples/trusted-networks.yaml)')
    .option('--at <iso>', 'when the source was seen (pentest windows, STIX validity); default: now')
    .option('--principal <arn>', 'the caller ARN, for approved principals')
    .option('--db <file>', AWS_RANGES_DB_HELP)
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .action(async (values: string[], flags: IntelFlags & { at?: string; principal?: string }) => {
      const format = parseTabularFormat(flags.format);
      const at = parseAt(flags.at);
      const index = await loadIntelSettings(flags);
      const verdicts = values.map((value) => classify(index, value, { at, ...(flags.principal ? { principalArn: flags.principal } : {}) }));
      if (format === 'json') {
        const doc = { schema: 'trailbook.intel-check/v1', at: at.toISOString(), inputs: inputsOf(index), verdicts };
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
        return;
      }
      const columns = ['value', 'verdict', 'report', 'rule', 'reason'];
      // On the terminal a long reason takes several lines: the count is of values, not lines.
      const n = verdicts.length;
      process.stdout.write(
        format === 'table'
          ? formatTable(columns, verdictRows(verdicts, true), { countLine: `(${n} value${n === 1 ? '' : 's'})` })
          : formatRows(format, columns, verdictRows(verdicts, false)),
      );
    });

  intel
    .command('stats')
    .description('load feeds (and a trusted file) and report what was read: entries, bad lines, sha256, dates')
    .option('--intel <spec>', INTEL_HELP, collect, [] as string[])
    .option('--trusted <file>', 'trusted-networks YAML')
    .option('--db <file>', AWS_RANGES_DB_HELP)
    .option('--format <format>', 'table | json | csv | ndjson', 'table')
    .action(async (flags: IntelFlags) => {
      const format = parseTabularFormat(flags.format);
      const index = await loadIntelSettings(flags);
      if (index.feeds.length === 0 && !index.trusted.path) {
        throw new TrailbookError('USAGE', 'give at least one --intel FILE or --trusted FILE', {
          hint: 'or set them once: TRAILBOOK_INTEL, TRAILBOOK_TRUSTED, or trailbook.yaml (docs/config.md)',
        });
      }
      if (format === 'json') {
        const doc = {
          schema: 'trailbook.intel-stats/v1',
          inputs: inputsOf(index),
          feeds: index.feeds.map((f) => ({
            ...summarizeFeed(f),
            totals: f.totals,
            notes: f.notes,
            bad: f.bad.slice(0, 100),
            badShown: Math.min(100, f.bad.length),
          })),
          trusted: {
            networks: index.trusted.networks.length,
            cidrs: index.trusted.networks.reduce((n, t) => n + t.cidrs.length, 0),
            principals: index.trusted.principals.length,
          },
          index: index.stats,
        };
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
        return;
      }
      const rows: Record<string, unknown>[] = index.feeds.map((f) => ({
        name: f.name,
        format: f.format,
        entries: f.entries.length,
        [`records`]: `${f.totals.records} ${f.totals.unit}s`,
        bad: f.totals.bad,
        skipped: f.totals.skipped,
        date: f.date ? `${f.date} (${f.dateSource})` : '',
        sha256: f.sha256.slice(0, 16),
        path: f.path,
      }));
      if (index.trusted.path) {
        rows.push({
          name: 'trusted',
          format: 'trusted-networks',
          entries: index.trusted.networks.reduce((n, t) => n + t.cidrs.length, 0),
          records: `${index.trusted.networks.length + index.trusted.principals.length} entries`,
          bad: 0,
          skipped: 0,
          date: '',
          sha256: (index.trusted.sha256 ?? '').slice(0, 16),
          path: index.trusted.path,
        });
      }
      process.stdout.write(formatRows(format, ['name', 'format', 'entries', 'records', 'bad', 'skipped', 'date', 'sha256', 'path'], rows));
      if (format === 'table') {
        const s = index.stats;
        process.stdout.write(`index: ${s.prefixes} distinct prefixes, ${s.intervals} intervals, ${(s.bytes / 1048576).toFixed(1)} MiB\n`);
        for (const f of index.feeds) {
          const shown = f.bad.slice(0, 20);
          for (const b of shown) process.stderr.write(sanitizeForTerminal(`${f.path}:${b.line}: ${b.reason}: ${b.text}`) + '\n');
          if (f.bad.length > shown.length)
            process.stderr.write(sanitizeForTerminal(`${f.path}: … ${f.bad.length - shown.length} more bad records (--format json lists 100)`) + '\n');
        }
      }
    });

  intel
    .command('update')
    .description(
      "install AWS's published ip-ranges.json (checked against its format) beside the store, where every command loads it: AWS addresses become known",
    )
    .argument('<file>', 'ip-ranges.json (or .json.gz), from https://ip-ranges.amazonaws.com/ip-ranges.json')
    .option('--db <file>', `${DB_HELP}; the ranges are installed in its folder`)
    .option('--force', 'install even when the file is older (a smaller syncToken) than the installed one')
    .action((file: string, flags: { db?: string; force?: boolean }) => {
      const { db } = settingsFor({ ...(flags.db ? { db: flags.db } : {}) }, ['db']);
      const { installed, replaced } = installAwsRanges(file, db, { force: flags.force === true });
      process.stdout.write(
        `installed AWS ip-ranges of ${installed.created} (syncToken ${installed.syncToken}): ${installed.ipv4} IPv4 and ${installed.ipv6} IPv6 prefixes\n` +
          `  ${sanitizeForTerminal(installed.path)}${replaced ? ` (replaced the ranges of ${replaced.created}, syncToken ${replaced.syncToken})` : ''}\n`,
      );
    });
}
