import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Engine } from '../engines/engine.js';
import { TrailbookError } from '../errors.js';
import { makeOutputDir, writeOutputFile } from '../files.js';
import type { Report } from '../report/contract.js';
import { parseFeedSpec } from '../intel/index.js';
import { renderReport } from '../report/render/index.js';
import { validateLogFiles, type IntegrityReport, type ValidateOptions } from './digest/index.js';
import { ensureRepository, git, hasCommits, identityArgs } from '../git.js';
import { lineAt, locateEvents, readSourceFile, sha256, type SourceFile } from './source-records.js';

/**
 * An evidence bundle: one folder per case in a git repository, holding the report in every
 * format, the exact source records every evidence row rests on (the bytes AWS delivered, with
 * the file's hash and where in it they sit), the inputs that shaped the decision, and a manifest
 * that hashes every file and chains to the case's previous manifest. docs/evidence.md says how
 * to check one without trailbook.
 */
export const EVIDENCE_SCHEMA = 'trailbook.evidence/v1';
export const CASES_DIR = 'cases';
export const CASE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  schema: typeof EVIDENCE_SCHEMA;
  caseId: string;
  createdAt: string;
  createdBy: { user: string; host: string };
  trailbook: { version: string; judgementFingerprint: string };
  runbook: Report['runbook'];
  parameters: Report['parameters'];
  findings: string[];
  /** SHA-256 of the case's previous manifest.json and the commit that held it (null for the first). */
  previousManifestSha256: string | null;
  previousCommit: string | null;
  files: ManifestFile[];
}

/** Where one evidence row's source record came from and where its copy is in the bundle. */
export interface SourceRecordEntry {
  sourceRef: string;
  kind: 'cloudtrail' | 'vpcflow';
  /** The path the file was ingested from. */
  file: string;
  /** The S3 key, when the path keeps AWS's layout (`AWSLogs/…`). */
  s3Key: string | null;
  fileSha256: string | null;
  /** The hash the ingest ledger recorded; differs from fileSha256 when the file changed since. */
  ledgerSha256: string | null;
  contentSha256: string | null;
  compressed: boolean | null;
  /** Byte range in the decompressed content (CloudTrail) or 1-based line (flow logs). */
  location: { byteStart: number; byteEnd: number } | { line: number } | null;
  bundlePath: string | null;
  /** Why the record could not be copied (file gone, changed, record not found). */
  missing?: string;
  /**
   * CloudTrail records: whether their file passed CloudTrail's own digest validation
   * (`validate-logs` statuses, or `not-checked` when no public keys were given).
   */
  digestValidation?: { status: string; reason: string; digest: string | null };
}

export interface EvidenceInputs {
  intelFiles: readonly string[];
  trustedFile?: string;
  runbookDir: string;
}

export interface CommitOptions {
  repo: string;
  caseId?: string;
  /** Only these findings (ids as in the report); all when absent. */
  findings?: readonly string[];
  inputs: EvidenceInputs;
  trailbook: Manifest['trailbook'];
  now?: Date;
  /** Check the CloudTrail source files against their digest files (docs/evidence.md); absent: not checked. */
  integrity?: { paths: readonly string[] } & ValidateOptions;
}

export interface CommitResult {
  caseId: string;
  caseDir: string;
  commit: string;
  manifestSha256: string;
  records: { copied: number; missing: number };
  files: number;
}

/** The default case id: the runbook and its question, so re-running the same question updates the same case. */
export function defaultCaseId(report: Report): string {
  const p = report.parameters;
  const day = (t: unknown) => (typeof t === 'string' && t ? t.slice(0, 10).replaceAll('-', '') : 'all');
  const port = typeof p['port'] === 'number' ? [String(p['port'])] : [];
  return [report.runbook.id, ...port, day(p['from']), day(p['to'])].join('-');
}

export async function commitEvidence(engine: Engine, fullReport: Report, options: CommitOptions): Promise<CommitResult> {
  const caseId = options.caseId ?? defaultCaseId(fullReport);
  if (!CASE_ID_PATTERN.test(caseId)) throw new TrailbookError('USAGE', `case id "${caseId}" must be letters, digits, '.', '_' or '-' (up to 100)`);
  const report = selectFindings(fullReport, options.findings);
  const records = await sourceRecords(engine, evidenceRefs(report), Number(report.parameters.port));
  const integrity = await digestValidation(records.entries, options.integrity);

  const files = new Map<string, Buffer>();
  const put = (path: string, content: Buffer | string) => files.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content));
  put('report.json', renderReport(report, 'json'));
  put('report.md', renderReport(report, 'md', { full: true }));
  put('report.html', renderReport(report, 'html'));
  for (const record of records.entries) if (record.bundlePath) put(record.bundlePath, records.bytes.get(record.bundlePath)!);
  if (integrity) put('inputs/log-integrity.json', `${JSON.stringify(integrity, null, 2)}\n`);
  put('records/index.json', `${JSON.stringify(records.entries, null, 2)}\n`);
  for (const [path, content] of inputFiles(options.inputs)) put(path, content);
  put('inputs/parameters.json', `${JSON.stringify(report.parameters, null, 2)}\n`);
  put('inputs/trailbook.json', `${JSON.stringify({ ...options.trailbook, runbook: report.runbook }, null, 2)}\n`);

  ensureRepository(options.repo);
  const caseRel = `${CASES_DIR}/${caseId}`;
  const caseDir = join(options.repo, CASES_DIR, caseId);
  const previousPath = join(caseDir, 'manifest.json');
  const previousManifestSha256 = existsSync(previousPath) ? sha256(readFileSync(previousPath)) : null;
  const previousCommit = previousManifestSha256 ? lastCommitOf(options.repo, `${caseRel}/manifest.json`) : null;

  // The folder is the bundle as of this commit: files of an earlier version that are gone now go.
  rmSync(caseDir, { recursive: true, force: true });
  const listed: ManifestFile[] = [];
  for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const full = join(caseDir, ...path.split('/'));
    makeOutputDir(dirname(full), 'the evidence folder');
    writeOutputFile(full, content, 'the evidence file');
    listed.push({ path, sha256: sha256(content), size: content.length });
  }
  const manifest: Manifest = {
    schema: EVIDENCE_SCHEMA,
    caseId,
    createdAt: (options.now ?? new Date()).toISOString(),
    createdBy: { user: userInfo().username, host: hostname() },
    trailbook: options.trailbook,
    runbook: report.runbook,
    parameters: report.parameters,
    findings: report.findings.map((f) => f.id),
    previousManifestSha256,
    previousCommit,
    files: listed,
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  writeOutputFile(previousPath, manifestText, 'the manifest');

  git(options.repo, ['add', '-A', '--', caseRel]);
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.decision.action] = (counts[f.decision.action] ?? 0) + 1;
  const summary =
    Object.entries(counts)
      .map(([action, n]) => `${n} ${action}`)
      .join(', ') || 'no findings';
  const message =
    `evidence ${caseId}: ${report.runbook.id} port ${report.parameters.port}, ${summary}\n\n` +
    `${report.findings.length} findings, ${records.entries.length} source records (${records.missing} missing); manifest sha256 ${sha256(manifestText)}\n`;
  git(options.repo, [...identityArgs(options.repo), 'commit', '-q', '-m', message, '--', caseRel]);
  return {
    caseId,
    caseDir,
    commit: git(options.repo, ['rev-parse', 'HEAD']).trim(),
    manifestSha256: sha256(manifestText),
    records: { copied: records.entries.length - records.missing, missing: records.missing },
    files: listed.length,
  };
}

function lastCommitOf(repo: string, path: string): string | null {
  if (!hasCommits(repo)) return null;
  const out = git(repo, ['log', '-1', '--format=%H', '--', path]).trim();
  return out === '' ? null : out;
}

function selectFindings(report: Report, ids: readonly string[] | undefined): Report {
  if (!ids || ids.length === 0) return report;
  const unknown = ids.filter((id) => !report.findings.some((f) => f.id === id));
  if (unknown.length)
    throw new TrailbookError('USAGE', `no finding ${unknown.join(', ')} in this report`, {
      hint: `finding ids: ${report.findings.map((f) => f.id).join(', ') || 'none'}`,
    });
  return { ...report, findings: report.findings.filter((f) => ids.includes(f.id)) };
}

/** The AWS key of a path that keeps the S3 layout. */
function s3KeyOf(path: string): string | null {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('AWSLogs');
  return at >= 0 ? parts.slice(at).join('/') : null;
}

/** The source refs of every evidence row of the report, once each, sorted. */
function evidenceRefs(report: Report): string[] {
  return [...new Set(report.findings.flatMap((f) => f.evidence.map((e) => e.source_ref)).filter((r) => r !== ''))].sort();
}

/**
 * Copies of the source records of evidence rows (CloudTrail eventIDs and `flow:` connection keys
 * on `port`), by bundle path, and their index: the bundle's, and the workspace's raw record view.
 */
export async function sourceRecords(
  engine: Engine,
  refs: readonly string[],
  port: number,
): Promise<{ entries: SourceRecordEntry[]; bytes: Map<string, Buffer>; missing: number }> {
  const eventIds = refs.filter((r) => !r.startsWith('flow:'));
  const flowRefs = refs.filter((r) => r.startsWith('flow:'));
  const ledger = new Map<string, string>();
  for (const row of (await engine.all("SELECT path, any_value(sha256) AS sha256 FROM ingest_ledger WHERE outcome = 'read' GROUP BY path")).rows) {
    if (typeof row['sha256'] === 'string') ledger.set(String(row['path']), row['sha256']);
  }
  const files = new Map<string, SourceFile | string>();
  const open = (path: string): SourceFile | string => {
    let file = files.get(path);
    if (file === undefined) {
      try {
        file = readSourceFile(path);
      } catch (error) {
        file = `the source file cannot be read now: ${(error as Error).message}`;
      }
      files.set(path, file);
    }
    return file;
  };
  const entries: SourceRecordEntry[] = [];
  const bytes = new Map<string, Buffer>();
  const entry = (sourceRef: string, kind: SourceRecordEntry['kind'], path: string, file: SourceFile | string): SourceRecordEntry => ({
    sourceRef,
    kind,
    file: path,
    s3Key: s3KeyOf(path),
    fileSha256: typeof file === 'string' ? null : file.sha256,
    ledgerSha256: ledger.get(path) ?? null,
    contentSha256: typeof file === 'string' ? null : file.contentSha256,
    compressed: typeof file === 'string' ? null : file.compressed,
    location: null,
    bundlePath: null,
  });

  const fileOfEvent = new Map<string, string>();
  if (eventIds.length) {
    const { rows } = await engine.all(
      'SELECT eventid, any_value(_file) AS file FROM cloudtrail_events WHERE eventid IN (SELECT unnest(CAST(json($ids) AS VARCHAR[]))) GROUP BY eventid',
      { ids: JSON.stringify(eventIds) },
    );
    for (const row of rows) fileOfEvent.set(String(row['eventid']), String(row['file']));
  }
  const located = new Map<string, ReturnType<typeof locateEvents>>();
  for (const id of eventIds) {
    const path = fileOfEvent.get(id);
    if (!path) {
      entries.push({
        sourceRef: id,
        kind: 'cloudtrail',
        file: '',
        s3Key: null,
        fileSha256: null,
        ledgerSha256: null,
        contentSha256: null,
        compressed: null,
        location: null,
        bundlePath: null,
        missing: 'no event with this id in the store',
      });
      continue;
    }
    const file = open(path);
    const e = entry(id, 'cloudtrail', path, file);
    if (typeof file === 'string') e.missing = file;
    else {
      let events = located.get(path);
      if (!events) located.set(path, (events = locateEvents(file.content)));
      const range = events.get(id);
      if (!range) e.missing = 'the record is no longer in its file (the file changed since it was ingested?)';
      else {
        e.location = { byteStart: range.start, byteEnd: range.end };
        e.bundlePath = `records/cloudtrail/${safeName(id)}.json`;
        bytes.set(e.bundlePath, file.content.subarray(range.start, range.end));
      }
    }
    entries.push(e);
  }

  if (flowRefs.length) {
    const wanted = new Set(flowRefs.map((r) => r.slice('flow:'.length)));
    const { rows } = await engine.all(
      `SELECT _file, _line, interface_id, protocol, srcaddr, srcport, dstaddr, dstport FROM vpc_flow_records
       WHERE _kind = 'vpc' AND (dstport = $port OR srcport = $port) ORDER BY _file, _line`,
      { port },
    );
    for (const row of rows) {
      const key = flowConnectionKey(row, port);
      if (!wanted.has(key)) continue;
      const path = String(row['_file']);
      const line = Number(row['_line']);
      const file = open(path);
      const e = entry(`flow:${key}`, 'vpcflow', path, file);
      if (typeof file === 'string') e.missing = file;
      else {
        const range = lineAt(file.content, line);
        if (!range) e.missing = `line ${line} is no longer in the file`;
        else {
          e.location = { line };
          e.bundlePath = `records/vpcflow/${file.sha256.slice(0, 16)}-L${line}.log`;
          bytes.set(e.bundlePath, file.content.subarray(range.start, range.end));
        }
      }
      entries.push(e);
    }
  }
  return { entries, bytes, missing: entries.filter((e) => e.missing).length };
}

/**
 * Marks each CloudTrail record with the digest validation of its file. The source files are
 * validated together with the digests under `paths`; a file no digest there lists is said so.
 */
async function digestValidation(entries: SourceRecordEntry[], integrity: CommitOptions['integrity']): Promise<IntegrityReport | null> {
  const cloudtrail = entries.filter((e) => e.kind === 'cloudtrail' && e.file !== '');
  if (!integrity) {
    for (const e of cloudtrail)
      e.digestValidation = { status: 'not-checked', reason: 'no public keys given (evidence commit --public-keys, docs/evidence.md)', digest: null };
    return null;
  }
  const report = await validateLogFiles([...integrity.paths, ...new Set(cloudtrail.map((e) => e.file))], integrity);
  const byKey = new Map(report.logFiles.map((l) => [l.key, l] as const));
  const byPath = new Map(report.logFiles.filter((l) => l.path !== null).map((l) => [resolve(l.path!), l] as const));
  for (const e of cloudtrail) {
    const result = byPath.get(resolve(e.file)) ?? (e.s3Key ? byKey.get(e.s3Key) : undefined);
    e.digestValidation = result
      ? { status: result.status, reason: result.reason, digest: result.digest }
      : { status: 'not-covered', reason: 'not among the files validated', digest: null };
  }
  return report;
}

/** A connection's key as `flows/connections.ts` builds it: interface|protocol|client|clientPort|server|port. */
function flowConnectionKey(row: Record<string, unknown>, port: number): string {
  const request = Number(row['dstport']) === port;
  const client = request ? row['srcaddr'] : row['dstaddr'];
  const clientPort = request ? row['srcport'] : row['dstport'];
  const server = request ? row['dstaddr'] : row['srcaddr'];
  const part = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  return [part(row['interface_id']), part(row['protocol']), part(client), part(clientPort), part(server), port].join('|');
}

function safeName(id: string): string {
  return /^[A-Za-z0-9._-]{1,120}$/.test(id) ? id : sha256(id).slice(0, 32);
}

/** Intel feeds (copied when under 5 MB, otherwise their hash and size), the trusted file and the runbook folder. */
const MAX_COPIED_INPUT = 5 * 1024 * 1024;

function inputFiles(inputs: EvidenceInputs): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const large: { file: string; sha256: string; size: number; modified: string }[] = [];
  for (const spec of inputs.intelFiles) {
    const { path } = parseFeedSpec(spec);
    const content = readFileSync(path);
    if (content.length <= MAX_COPIED_INPUT) out.set(`inputs/intel/${safeName(basename(path))}`, content);
    else large.push({ file: basename(path), sha256: sha256(content), size: content.length, modified: statSync(path).mtime.toISOString() });
  }
  if (large.length) out.set('inputs/intel/large-feeds.json', Buffer.from(`${JSON.stringify(large, null, 2)}\n`));
  if (inputs.trustedFile) out.set('inputs/trusted-networks.yaml', readFileSync(inputs.trustedFile));
  for (const name of (readdirSync(inputs.runbookDir, { recursive: true }) as string[]).sort()) {
    const full = join(inputs.runbookDir, name);
    if (!statSync(full).isFile()) continue;
    out.set(`inputs/runbook/${relative(inputs.runbookDir, full).split(sep).join('/')}`, readFileSync(full));
  }
  return out;
}
