/**
 * The first hour, continued (issue 15 items 1-3): shell completion, examples in every --help,
 * exit codes in --help and docs/, and the other rough edges a new user meets. Commands run
 * in-process (test/helpers/in-process.ts) on the bundled sample, with real files and DuckDB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/program.js';
import { commandTree } from '../../src/cli/completion.js';
import { corpusFile, REPO_ROOT } from '../helpers/corpus.js';
import { runInProcess } from '../helpers/in-process.js';

const SAMPLE = join(REPO_ROOT, 'sample');
let dir = '';
let db = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailbook-first-hour-2-'));
  db = join(dir, 'store.duckdb');
  const ingest = await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), join(SAMPLE, 'vpcflow'), '--db', db, '--no-progress', '--json']);
  assert.equal(ingest.status, 0, ingest.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const topCommands = () => buildProgram().commands.map((c) => c.name());

test('completion bash: a script bash parses, completing commands, subcommands, options and runbook ids', async () => {
  const r = await runInProcess(['completion', 'bash']);
  assert.equal(r.status, 0, r.stderr);
  const script = join(dir, 'trailbook.bash');
  writeFileSync(script, r.stdout);
  execFileSync('bash', ['-n', script]);
  // Completion as bash runs it: COMP_WORDS/COMP_CWORD in, COMPREPLY out.
  const complete = (...words: string[]): string =>
    execFileSync('bash', ['-c', `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _trailbook_complete; echo "\${COMPREPLY[*]}"`, script, ...words], {
      encoding: 'utf8',
    }).trim();
  assert.deepEqual(complete('trailbook', '').split(' '), topCommands());
  assert.equal(complete('trailbook', 'inv'), 'investigate');
  assert.equal(complete('trailbook', 'intel', ''), 'check stats update');
  assert.equal(complete('trailbook', 'investigate', '--db', 'x.duckdb', '--po'), '--port');
  assert.equal(complete('trailbook', 'intel', 'check', '--tr'), '--trusted');
  // Every bundled runbook folder, and nothing else.
  assert.equal(complete('trailbook', 'run', ''), readdirSync(join(REPO_ROOT, 'runbooks')).sort().join(' '));
  assert.equal(complete('trailbook', 'run', 'port'), 'port-exposure');
  assert.equal(complete('trailbook', 'run', 'port-exposure', '--fo'), '--format');
});

test('completion zsh and fish name every command and subcommand; an unknown shell is a usage error', async () => {
  const paths = commandTree(buildProgram()).filter((n) => n.path);
  for (const shell of ['zsh', 'fish']) {
    const r = await runInProcess(['completion', shell]);
    assert.equal(r.status, 0, r.stderr);
    for (const node of paths) assert.match(r.stdout, new RegExp(`'${node.name}${shell === 'zsh' ? ':' : "'"}`), `${shell}: ${node.path}`);
    assert.match(r.stdout, /port-exposure/);
  }
  const bad = await runInProcess(['completion', 'powershell']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no completion for shell "powershell"\n {2}hint: use one of: bash, zsh, fish/);
});

test('exit codes: every status in src/errors.ts is in `trailbook --help` and docs/exit-codes.md, and nothing else is', async () => {
  const { EXIT_CODES, EXIT_STATUSES } = await import('../../src/errors.js');
  // Every error code has a documented status, and the table holds no code errors.ts lacks.
  for (const [code, status] of Object.entries(EXIT_CODES)) {
    assert.ok(
      EXIT_STATUSES.some((e) => e.code === code && e.status === status),
      `${code} (${status}) is not in EXIT_STATUSES`,
    );
  }
  assert.deepEqual(
    EXIT_STATUSES.filter((e) => e.code)
      .map((e) => e.code)
      .sort(),
    Object.keys(EXIT_CODES).sort(),
  );
  const help = await runInProcess(['--help']);
  assert.equal(help.status, 0);
  const listed = /Exit codes \(docs\/exit-codes\.md\):\n((?: +\d+ {2}.*\n?)+)/.exec(help.stdout);
  assert.ok(listed, help.stdout);
  assert.deepEqual(
    listed[1]!
      .trimEnd()
      .split('\n')
      .map((line) => line.trim()),
    EXIT_STATUSES.map((e) => `${e.status}  ${e.meaning}`),
  );
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'exit-codes.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| ?(\w*) ?\| (.*) \|$/gm)].map((m) => ({ status: Number(m[1]), code: m[2] || undefined, meaning: m[3] }));
  assert.deepEqual(
    rows,
    EXIT_STATUSES.map((e) => ({ status: e.status, code: e.code, meaning: e.meaning })),
  );
});

test('every command has examples in its --help, and each example names a real command', async () => {
  const { EXAMPLES } = await import('../../src/cli/examples.js');
  const nodes = commandTree(buildProgram());
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  // The command path an example runs: `trailbook` then the longest run of subcommand names.
  const pathOf = (example: string): string => {
    const words = /\btrailbook ([^|&;#"]*)/.exec(example)?.[1]?.trim().split(/\s+/) ?? [];
    let path = '';
    for (const word of words) {
      const next = path ? `${path} ${word}` : word;
      if (!byPath.get(path)?.subcommands.includes(word)) break;
      path = next;
    }
    return path;
  };
  for (const node of nodes) {
    const examples = EXAMPLES[node.path] ?? [];
    assert.ok(examples.length > 0, `no examples for "${node.path || 'trailbook'}"`);
    for (const example of examples) {
      const path = pathOf(example);
      assert.ok(path !== '', `"${example}" runs no trailbook command`);
      assert.ok(
        node.path === '' || path === node.path || (path.startsWith(`${node.path} `) && node.subcommands.length > 0),
        `"${example}" under "${node.path}" runs "${path}"`,
      );
    }
    const help = await runInProcess([...(node.path ? node.path.split(' ') : []), '--help']);
    assert.equal(help.status, 0, node.path);
    assert.ok(help.stdout.includes(`Examples:\n${examples.map((e) => `  ${e}`).join('\n')}`), `help of "${node.path}":\n${help.stdout}`);
  }
  assert.deepEqual(
    Object.keys(EXAMPLES).filter((path) => !byPath.has(path)),
    [],
    'examples for commands that do not exist',
  );
});

test('--since 24h is --from 24h on investigate, run, exposures, flows; with --from it is a usage error', async () => {
  // The sample is from May 2024: a window since a day ago holds none of it, the whole window holds it all.
  const since = await runInProcess(['exposures', '--db', db, '--since', '24h', '--format', 'json']);
  assert.equal(since.status, 0, since.stderr);
  assert.deepEqual(JSON.parse(since.stdout), []);
  const all = await runInProcess(['exposures', '--db', db, '--since', '2024-05-01T00:00:00Z', '--format', 'json']);
  assert.ok((JSON.parse(all.stdout) as unknown[]).length > 0);
  const flows = await runInProcess(['flows', '--db', db, '--since', '24h', '--format', 'json']);
  assert.equal(flows.status, 0, flows.stderr);
  assert.equal(JSON.stringify(JSON.parse(flows.stdout)).includes('198.51.100.23'), false);
  const report = await runInProcess(['investigate', '--db', db, '--since', '24h', '--format', 'json']);
  assert.equal(report.status, 0, report.stderr);
  const parsed = JSON.parse(report.stdout) as { findings: unknown[]; parameters?: Record<string, unknown> };
  assert.equal(parsed.findings.length, 0);
  const ran = await runInProcess(['run', 'port-exposure', '--db', db, '--since', '7d', '--format', 'json']);
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal((JSON.parse(ran.stdout) as { findings: unknown[] }).findings.length, 0);

  for (const args of [['investigate'], ['exposures'], ['flows'], ['evidence', 'commit', '--repo', join(dir, 'never')]]) {
    const both = await runInProcess([...args, '--db', db, '--since', '24h', '--from', '2024-05-01']);
    assert.equal(both.status, 2, `${args[0]}: ${both.stderr}`);
    assert.match(both.stderr, /--since 24h and --from 2024-05-01 both set the start of the window\n {2}hint: give one of them/);
  }
  const param = await runInProcess(['run', 'port-exposure', '--db', db, '--since', '24h', '--param', 'from=2024-05-01']);
  assert.equal(param.status, 2, param.stderr);
  assert.match(param.stderr, /--since 24h and --param from=2024-05-01 both set the start/);
  const bad = await runInProcess(['investigate', '--db', db, '--since', 'yesterday']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--since/);
});

test('investigate and evidence commit --help show the bundled runbook by name, not a path on this machine', async () => {
  for (const args of [
    ['investigate', '--help'],
    ['evidence', 'commit', '--help'],
  ]) {
    const help = await runInProcess(args);
    assert.match(help.stdout, /--runbook <dir> +the runbook folder \(default: port-exposure\s+\(bundled\)\)/);
    assert.equal(help.stdout.includes(REPO_ROOT), false, help.stdout);
  }
});

test('the report header says "all logs" for a start the user did not give, and the span the logs cover; never 2000-01-01', async () => {
  const { rows } = await (async () => {
    const r = await runInProcess(['sql', 'SELECT min(eventtime) AS first, max(eventtime) AS last FROM cloudtrail_events', '--db', db, '--format', 'json']);
    return { rows: JSON.parse(r.stdout) as Array<{ first: string; last: string }> };
  })();
  const span = `(logs cover ${rows[0]!.first} → ${rows[0]!.last})`;
  for (const format of ['text', 'md', 'html']) {
    const r = await runInProcess(['investigate', '--db', db, '--to', '2024-05-15T00:00:00Z', '--format', format]);
    assert.equal(r.status, 0, r.stderr);
    const flat = r.stdout.replace(/\s+/g, ' ');
    assert.ok(flat.includes(`time range all logs → 2024-05-15T00:00:00Z ${span}`), `${format}: ${r.stdout.slice(0, 400)}`);
    assert.doesNotMatch(r.stdout, /2000-01-01/);
  }
  const given = await runInProcess(['investigate', '--db', db, '--from', '2024-05-14T09:00:00Z', '--to', '2024-05-15T00:00:00Z']);
  assert.ok(given.stdout.replace(/\s+/g, ' ').includes(`time range 2024-05-14T09:00:00Z → 2024-05-15T00:00:00Z ${span}`), given.stdout.slice(0, 300));
});

test("sql on a table that does not exist: exit 6 naming the store's real tables, not DuckDB's catalog guess", async () => {
  const r = await runInProcess(['sql', 'SELECT * FROM cloudtrail', '--db', db]);
  assert.equal(r.status, 6, r.stderr);
  assert.doesNotMatch(r.stderr, /Did you mean|pg_|duckdb_/);
  const listed = /no table "cloudtrail" in the store; its tables: (.*)\n/.exec(r.stderr);
  assert.ok(listed, r.stderr);
  const tables = listed[1]!.split(', ');
  for (const table of ['cloudtrail_logs', 'cloudtrail_events', 'vpc_flow_logs']) assert.ok(tables.includes(table), table);
  assert.match(r.stderr, /hint: e\.g\. SELECT \* FROM cloudtrail_logs LIMIT 10; DESCRIBE cloudtrail_logs lists its columns/);
  // Each table named is one the store answers.
  for (const table of tables) assert.equal((await runInProcess(['sql', `SELECT count(*) FROM ${table}`, '--db', db])).status, 0, table);
  // A store where exposures has run lists port_exposures too.
  assert.equal((await runInProcess(['exposures', '--db', db, '--format', 'json'])).status, 0);
  const after = await runInProcess(['sql', 'SELECT * FROM exposures', '--db', db]);
  assert.match(after.stderr, /its tables: .*port_exposure_windows, port_exposures/);
  assert.doesNotMatch(after.stderr, /appear once/);
});

/** The sample investigated as `npm run demo` does, in the given format, piped (no terminal). */
const demo = (...extra: string[]) =>
  runInProcess([
    'investigate',
    '--db',
    db,
    '--intel',
    join(SAMPLE, 'intel', 'threat-feed.txt'),
    '--trusted',
    join(SAMPLE, 'trusted-networks.yaml'),
    '--to',
    '2024-05-15T00:00:00Z',
    ...extra,
  ]);

test('text evidence: the detail that matters comes first and whole; flow keys read as connections; ARNs break between their parts', async () => {
  const json = JSON.parse((await demo('--format', 'json', '--schema', 'v2')).stdout) as {
    findings: Array<{ evidence: Array<{ detail: string | null; source_ref: string; resource: string | null }> }>;
  };
  for (const full of [[], ['--full']]) {
    const r = await demo(...full);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(
      lines.every((l) => Array.from(l).length <= 100),
      'piped, the report is 100 columns wide',
    );
    // Every CloudTrail row's detail (the rule: "tcp port 8443 from 0.0.0.0/0") stands whole at the start of the line under its row.
    const events = json.findings.flatMap((f) => f.evidence).filter((e) => !e.source_ref.startsWith('flow:') && e.detail);
    assert.ok(events.length >= 8);
    for (const e of events)
      assert.ok(
        lines.some((l) => `${l.trim()} `.startsWith(`${e.detail} `)),
        `${full.join('')}: "${e.detail}" is not whole`,
      );
    assert.ok(r.stdout.includes('tcp port 8443 from 0.0.0.0/0 · user/svc-legacy-deploy'));
    // No opaque flow keys: the first request names protocol, addresses, ports and interface.
    assert.doesNotMatch(r.stdout, /flow:eni-|\|6\|/);
    assert.match(
      r.stdout.replace(/\s+/g, ' '),
      /first request: inbound REJECT 198\.51\.100\.23 → i-0a12b34c56d78e901 \(tcp 198\.51\.100\.23:51000 → 10\.0\.1\.25:8443 on eni-0f1e2d3c4b5a69788\)/,
    );
    // A long ARN wider than the page is cut only after a separator, never inside an id.
    const arns = [...new Set(json.findings.flatMap((f) => f.evidence.map((e) => e.resource)))].filter((a): a is string => !!a?.startsWith('arn:'));
    assert.ok(
      arns.some((a) => a.length > 90),
      'the sample has a listener ARN longer than a line',
    );
    for (const [i, line] of lines.entries()) {
      const last = line.trimEnd().split(' ').at(-1) ?? '';
      const next = lines[i + 1]?.trimStart().split(' ')[0] ?? '';
      for (const arn of arns)
        if (last.startsWith('arn:') && arn.startsWith(last) && arn !== last && arn.startsWith(last + next))
          assert.match(last, /[/:|]$/, `ARN cut inside a part: ${line}`);
    }
  }
});

test('COLUMNS sets the width of piped text output; intel check counts values, not wrapped lines', async () => {
  for (const columns of [80, 140]) {
    const r = await demo();
    const wide = await runInProcess(['investigate', '--db', db, '--to', '2024-05-15T00:00:00Z'], { env: { COLUMNS: String(columns) } });
    const longest = Math.max(...wide.stdout.split('\n').map((l) => Array.from(l).length));
    assert.ok(longest <= columns && longest > columns - 10, `COLUMNS=${columns}: longest line ${longest}`);
    assert.equal(r.status, 0);
  }
  const values = ['198.51.100.23', '52.95.128.179', 'ec2.amazonaws.com', '10.0.0.1', '8.8.8.8'];
  const r = await runInProcess(['intel', 'check', ...values]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.split('\n').length > values.length + 4, 'some reasons wrap onto a second line');
  assert.match(r.stdout, /\n\(5 values\)\n$/);
});

test('flow-only findings from default v2 flow logs: a direction, the peer as source, no null:null, no "path changed" wording', async () => {
  const logs = join(dir, 'v2', 'AWSLogs', '111122223333', 'vpcflowlogs', 'us-east-1', '2024', '05', '14');
  mkdirSync(logs, { recursive: true });
  // The default format (version 2): no flow-direction, no instance id, no tcp-flags; one public peer, and one VPC-internal pair.
  writeFileSync(
    join(logs, '111122223333_vpcflowlogs_us-east-1_fl-0123_20240514T0840Z_v2.log'),
    [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      '2 111122223333 eni-0f1e2d3c4b5a69788 198.51.100.23 10.0.1.25 51000 8443 6 10 6000 1715676005 1715676060 ACCEPT OK',
      '2 111122223333 eni-0f1e2d3c4b5a69788 10.0.1.25 198.51.100.23 8443 51000 6 10 6000 1715676005 1715676060 ACCEPT OK',
      '2 111122223333 eni-0b23c45d67e89f012 10.0.2.17 10.0.3.40 40000 8443 6 4 720 1715677500 1715677560 ACCEPT OK',
      '2 111122223333 eni-0f1e2d3c4b5a69788 - - - - - - - 1715676005 1715676060 - NODATA',
      '',
    ].join('\n'),
  );
  const store = join(dir, 'v2.duckdb');
  const json = await runInProcess(['investigate', join(dir, 'v2'), '--db', store, '--no-progress', '--format', 'json', '--schema', 'v2']);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as {
    findings: Array<{
      title: string;
      direction: string;
      decision: { reasons: string[] };
      evidence: Array<{ source_ip: string | null; resource: string | null; detail: string }>;
    }>;
  };
  const external = report.findings.find((f) => f.title.includes('eni-0f1e2d3c4b5a69788'));
  assert.ok(external, JSON.stringify(report.findings.map((f) => f.title)));
  assert.equal(external.title, 'inbound traffic on port 8443 at eni-0f1e2d3c4b5a69788 with no exposure in CloudTrail');
  assert.equal(external.direction, 'inbound');
  assert.equal(external.evidence[0]!.source_ip, '198.51.100.23');
  assert.match(external.evidence[0]!.detail, /^198\.51\.100\.23:51000 → 10\.0\.1\.25:8443 /);
  const internal = report.findings.find((f) => f.title.includes('eni-0b23c45d67e89f012'))!;
  assert.match(internal.evidence[0]!.detail, /^10\.0\.2\.17:40000 → 10\.0\.3\.40:8443 \(direction unknown\) /);
  assert.equal(internal.evidence[0]!.source_ip, '10.0.2.17');
  for (const f of report.findings) {
    assert.doesNotMatch(JSON.stringify(f), /null:null|A path to the port changed/, f.title);
    assert.ok(
      f.evidence.every((e) => e.resource),
      `${f.title}: a blank resource`,
    );
  }
  const text = await runInProcess(['investigate', '--db', store]);
  assert.doesNotMatch(text.stdout, /null:null|A path to the port changed/);
  assert.match(text.stdout, /Q2 {2}Inbound, outbound, or both\?\n {4}inbound\n/);
});

/** A small file in the format of AWS's ip-ranges.json (hand-written: AWS's own file is not shipped). */
function ipRanges(syncToken: string, createDate: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      syncToken,
      createDate,
      prefixes: [
        { ip_prefix: '52.95.128.0/21', region: 'ap-southeast-2', service: 'S3', network_border_group: 'ap-southeast-2' },
        { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON', network_border_group: 'ap-northeast-2' },
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2406:daba:f000::/40', region: 'ap-southeast-4', service: 'AMAZON', network_border_group: 'ap-southeast-4' }],
      ...extra,
    },
    null,
    2,
  );
}

test('intel update installs a valid ip-ranges.json beside the store; AWS addresses are then known everywhere, and the reasons say what was checked', async () => {
  const project = mkdtempSync(join(dir, 'aws-'));
  const store = join(project, 'store', 'trailbook.duckdb');
  const check = (...args: string[]) => runInProcess(['intel', 'check', '52.95.128.179', '8.8.8.8', '--db', store, '--format', 'json', ...args]);
  const reasons = async () => (JSON.parse((await check()).stdout) as { verdicts: Array<{ verdict: string; rule: string; reasons: string[] }> }).verdicts;

  // Before: an S3 address is suspicious, and the reason says no AWS ranges were loaded (nothing claims they were checked).
  const before = await reasons();
  assert.equal(before[0]!.verdict, 'suspicious');
  assert.match(before[0]!.reasons[0]!, /no AWS ranges loaded/);

  const file = join(project, 'ip-ranges.json');
  writeFileSync(file, ipRanges('1787433425', '2026-08-22-21-17-05'));
  const r = await runInProcess(['intel', 'update', file, '--db', store]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^installed AWS ip-ranges of 2026-08-22T21:17:05Z \(syncToken 1787433425\): 2 IPv4 and 1 IPv6 prefixes\n/);
  assert.equal(readFileSync(join(project, 'store', 'aws-ip-ranges.json'), 'utf8'), readFileSync(file, 'utf8'));

  const after = await reasons();
  assert.equal(after[0]!.verdict, 'known');
  assert.equal(after[0]!.rule, 'aws-ip-range');
  assert.match(after[0]!.reasons.join(' '), /AWS ip-ranges: S3 ap-southeast-2 \(52\.95\.128\.0\/21\)/);
  assert.equal(after[1]!.verdict, 'suspicious');
  assert.match(after[1]!.reasons[0]!, /in no AWS range \(aws-ip-ranges\)/);

  // investigate on that store lists the ranges among its inputs.
  assert.equal((await runInProcess(['ingest', join(SAMPLE, 'cloudtrail'), '--db', store, '--no-progress'])).status, 0);
  const report = JSON.parse((await runInProcess(['investigate', '--db', store, '--format', 'json'])).stdout) as {
    inputs: { intel: Array<{ name: string; entries: number }> };
  };
  assert.deepEqual(
    report.inputs.intel.map((i) => [i.name, i.entries]),
    [['aws-ip-ranges', 3]],
  );

  // Older ranges are refused unless --force; the installed file is unchanged.
  writeFileSync(file, ipRanges('1700000000', '2023-11-14-22-13-20'));
  const older = await runInProcess(['intel', 'update', file, '--db', store]);
  assert.equal(older.status, 9, older.stderr);
  assert.match(older.stderr, /is older than the installed ranges \(syncToken 1787433425, 2026-08-22T21:17:05Z\)\n {2}hint: .*--force/);
  const forced = await runInProcess(['intel', 'update', file, '--db', store, '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /replaced the ranges of 2026-08-22T21:17:05Z, syncToken 1787433425/);
});

test('intel update refuses a file that is not AWS ip-ranges.json (exit 9, nothing installed)', async () => {
  const project = mkdtempSync(join(dir, 'aws-bad-'));
  const store = join(project, 'trailbook.duckdb');
  const good = JSON.parse(ipRanges('1787433425', '2026-08-22-21-17-05')) as Record<string, unknown>;
  const cases: Array<[string, string, RegExp]> = [
    ['not json', '{"syncToken": "1', /invalid JSON/],
    ['no syncToken', JSON.stringify({ ...good, syncToken: undefined }), /"syncToken" is not a string of digits/],
    ['bad date', JSON.stringify({ ...good, createDate: '2026-08-22' }), /"createDate" is not YYYY-MM-DD-hh-mm-ss/],
    ['no prefixes', JSON.stringify({ ...good, prefixes: undefined }), /"prefixes" is not an array/],
    ['no region', JSON.stringify({ ...good, prefixes: [{ ip_prefix: '52.95.128.0/21', service: 'S3' }] }), /prefixes\[0\] has no "region" string/],
    [
      'bad prefix',
      JSON.stringify({ ...good, prefixes: [{ ip_prefix: '52.95.128.0/33', region: 'x', service: 'S3' }] }),
      /prefixes\[0\]\.ip_prefix "52\.95\.128\.0\/33" is not an IPv4 prefix/,
    ],
    ['v6 in v4', JSON.stringify({ ...good, prefixes: [{ ip_prefix: '2406:daba:f000::/40', region: 'x', service: 'S3' }] }), /is not an IPv4 prefix/],
    ['no v6 list', JSON.stringify({ ...good, ipv6_prefixes: undefined }), /"ipv6_prefixes" is not an array/],
  ];
  for (const [label, text, message] of cases) {
    const file = join(project, `${label.replace(/ /g, '-')}.json`);
    writeFileSync(file, text);
    const r = await runInProcess(['intel', 'update', file, '--db', store]);
    assert.equal(r.status, 9, `${label}: ${r.stderr}`);
    assert.match(r.stderr, message, label);
    assert.match(r.stderr, /hint: download it again: curl -sSfO https:\/\/ip-ranges\.amazonaws\.com\/ip-ranges\.json/);
  }
  const missing = await runInProcess(['intel', 'update', join(project, 'nope.json'), '--db', store]);
  assert.equal(missing.status, 3, missing.stderr);
  assert.deepEqual(
    readdirSync(project).filter((f) => f.startsWith('aws-ip-ranges')),
    [],
  );
});

test('corpus: the real ip-ranges.json installs, and S3 52.95.128.179 is known', async (t) => {
  const path = corpusFile(t, 'threatintel/aws-ip-ranges/ip-ranges.json.gz');
  if (!path) return;
  const store = join(mkdtempSync(join(dir, 'aws-real-')), 'trailbook.duckdb');
  const r = await runInProcess(['intel', 'update', path, '--db', store]);
  assert.equal(r.status, 0, r.stderr);
  const [ipv4, ipv6] = /: (\d+) IPv4 and (\d+) IPv6 prefixes/.exec(r.stdout)!.slice(1).map(Number);
  assert.ok(ipv4! > 5000 && ipv6! > 1000, r.stdout);
  const check = JSON.parse((await runInProcess(['intel', 'check', '52.95.128.179', '--db', store, '--format', 'json'])).stdout) as {
    verdicts: Array<{ verdict: string; reasons: string[] }>;
  };
  assert.equal(check.verdicts[0]!.verdict, 'known');
  assert.match(check.verdicts[0]!.reasons.join(' '), /S3 /);
});
