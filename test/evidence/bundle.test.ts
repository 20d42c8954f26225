import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBEngine } from '../../src/local-store.js';
import { commitEvidence, type Manifest, type SourceRecordEntry } from '../../src/evidence/bundle.js';
import { locateEvents, recordRanges, sha256 } from '../../src/evidence/source-records.js';
import { verifyEvidence } from '../../src/evidence/verify.js';
import { ingestPaths } from '../../src/ingest/ingest.js';
import type { Report } from '../../src/report/contract.js';
import { runInProcess } from '../helpers/in-process.js';
import { loadPublicKeys } from '../../src/evidence/digest/index.js';
import { makeKeyPair, writeKeysFile, writeSidecar, writeTree } from './digest-tree.js';
import { sample, root, report, runbookDir, commit } from './bundle-fixture.js';

/**
 * Evidence bundles on the bundled sample, in a real git repository: the copied records are the
 * bytes AWS delivered, verify passes on an untouched bundle, and every kind of tampering is
 * named (a flipped byte anywhere, a file removed or added, the manifest edited, history rewritten).
 */
const gitIn = (repo: string, ...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('a bundle of the sample: every evidence row has its record, byte for byte as delivered, and verify passes', async () => {
  const { repo, caseDir, records, commit: id } = await commit();
  assert.equal(records.missing, 0);
  assert.match(
    gitIn(repo, 'log', '-1', '--format=%H %s'),
    new RegExp(`^${id} evidence case-1: port-exposure port 8443, 1 isolate, 1 escalate, 1 ticket, 1 false-positive`),
  );
  const index = JSON.parse(readFileSync(join(caseDir, 'records', 'index.json'), 'utf8')) as SourceRecordEntry[];
  const refs = new Set(report.findings.flatMap((f) => f.evidence.map((e) => e.source_ref)));
  for (const ref of refs)
    assert.ok(
      index.some((e) => e.sourceRef === ref && e.bundlePath),
      `no record for ${ref}`,
    );
  for (const entry of index) {
    const copy = readFileSync(join(caseDir, entry.bundlePath!));
    const raw = readFileSync(entry.file);
    assert.equal(sha256(raw), entry.fileSha256);
    assert.equal(entry.fileSha256, entry.ledgerSha256, 'the file is unchanged since ingest');
    const content = entry.compressed ? gunzipSync(raw) : raw;
    if (entry.kind === 'cloudtrail' && entry.location && 'byteStart' in entry.location) {
      assert.deepEqual(copy, content.subarray(entry.location.byteStart, entry.location.byteEnd), 'the exact bytes, not a re-serialisation');
      assert.equal(JSON.parse(copy.toString('utf8')).eventID, entry.sourceRef);
    } else if (entry.location && 'line' in entry.location) {
      assert.equal(copy.toString('utf8'), content.toString('utf8').split('\n')[entry.location.line - 1]);
    }
  }
  const manifest = JSON.parse(readFileSync(join(caseDir, 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(manifest.previousManifestSha256, null);
  assert.ok(manifest.files.some((f) => f.path === 'inputs/intel/threat-feed.txt') && manifest.files.some((f) => f.path === 'inputs/runbook/runbook.yaml'));
  assert.deepEqual(verifyEvidence(repo).problems, []);
  assert.deepEqual(verifyEvidence(caseDir).problems, [], 'a bundle folder verifies on its own too');
});

test('committing the same case again chains the manifests; a subset of findings can be committed', async () => {
  const { repo, caseDir } = await commit();
  const first = sha256(readFileSync(join(caseDir, 'manifest.json')));
  const isolate = report.findings[0]!.id;
  const again = await commit('case-1', repo, [isolate]);
  const manifest = JSON.parse(readFileSync(join(caseDir, 'manifest.json'), 'utf8')) as Manifest;
  assert.equal(manifest.previousManifestSha256, first);
  assert.deepEqual(manifest.findings, [isolate]);
  assert.equal(gitIn(repo, 'rev-list', '--count', 'HEAD').trim(), '2');
  assert.equal(again.records.missing, 0);
  const result = verifyEvidence(repo, { caseId: 'case-1' });
  assert.deepEqual(result.problems, []);
  assert.equal(result.cases[0]!.versions, 2);
  await assert.rejects(commit('case-1', repo, ['exposure:nope']), /no finding exposure:nope/);
  await assert.rejects(commit('../escape', repo), /case id/);
});

test('tampering is named: a file removed, a file added, the manifest edited', async () => {
  const { repo, caseDir } = await commit();
  rmSync(join(caseDir, 'report.html'));
  writeFileSync(join(caseDir, 'records', 'planted.json'), '{}');
  const manifestPath = join(caseDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  manifest.createdBy.user = 'someone-else';
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const problems = verifyEvidence(repo).problems.map((p) => `${p.kind} ${p.path}`);
  assert.ok(problems.includes('file-removed report.html'), problems.join('\n'));
  assert.ok(problems.includes('file-added records/planted.json'), problems.join('\n'));
  assert.ok(problems.includes('uncommitted manifest.json'), problems.join('\n'));
});

test('rewriting an older commit of a case is detected (the later manifest names the commit and manifest before it)', async () => {
  const { repo, caseDir } = await commit();
  await commit('case-1', repo, [report.findings[0]!.id]);
  const [firstCommit, secondCommit] = gitIn(repo, 'rev-list', '--reverse', 'HEAD').trim().split('\n');
  // Rewrite the first version consistently (file and manifest hash both edited), then replay the second, unchanged, on top.
  gitIn(repo, 'checkout', '-q', '-b', 'rewrite', firstCommit!);
  const md = join(caseDir, 'report.md');
  appendFileSync(md, '\nnothing happened here\n');
  const manifest = JSON.parse(readFileSync(join(caseDir, 'manifest.json'), 'utf8')) as Manifest;
  const entry = manifest.files.find((f) => f.path === 'report.md')!;
  entry.sha256 = sha256(readFileSync(md));
  entry.size = statSync(md).size;
  writeFileSync(join(caseDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  gitIn(repo, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '-a', '--amend', '--no-edit');
  const rewritten = gitIn(repo, 'rev-parse', 'HEAD').trim();
  const replayed = gitIn(
    repo,
    '-c',
    'user.name=x',
    '-c',
    'user.email=x@example.com',
    'commit-tree',
    `${secondCommit}^{tree}`,
    '-p',
    rewritten,
    '-m',
    'replayed',
  ).trim();
  gitIn(repo, 'reset', '-q', '--hard', replayed);
  const kinds = verifyEvidence(repo).problems.map((p) => p.kind);
  assert.ok(kinds.includes('history-rewritten'), kinds.join(', '));
  assert.ok(kinds.includes('chain-broken'), kinds.join(', '));
});

test('record ranges: Records wrapper, bare array and NDJSON, with braces and quotes inside strings', () => {
  const a = '{"eventID":"a","userAgent":"x}\\"{["}';
  const b = '{"eventID":"b","requestParameters":{"n":[1,{"k":"]"}]}}';
  for (const text of [`{"Records":[${a},\n ${b}]}`, `[ ${a} , ${b} ]`, `${a}\n${b}\n`, `{"other":{"Records":"no"},"Records":[${a},${b}]}`]) {
    const content = Buffer.from(text);
    const ranges = recordRanges(content);
    assert.deepEqual(
      ranges.map((r) => content.subarray(r.start, r.end).toString()),
      [a, b],
      text,
    );
    assert.deepEqual([...locateEvents(content).keys()], ['a', 'b']);
  }
});

test('a repository folder inside another repository gets a repository of its own', async () => {
  const outer = join(root, 'outer');
  mkdirSync(outer);
  gitIn(outer, 'init', '-q');
  const { repo } = await commit('case-1', join(outer, 'evidence'));
  assert.equal(statSync(join(repo, '.git')).isDirectory(), true);
  assert.equal(gitIn(outer, 'status', '--porcelain').trim(), '?? evidence/', 'the outer repository only sees a nested repository');
});

test('CLI: evidence commit on a store, verify exits 0, then 12 naming a changed file', async () => {
  const dir = join(root, 'cli');
  mkdirSync(dir);
  const db = join(dir, 'store.duckdb');
  const repo = join(dir, 'evidence');
  const common = ['--db', db, '--intel', sample('intel/threat-feed.txt'), '--trusted', sample('trusted-networks.yaml'), '--to', '2024-05-15T00:00:00Z'];
  assert.equal((await runInProcess(['ingest', sample('cloudtrail'), sample('vpcflow'), '--db', db, '--no-progress'])).status, 0);
  const committed = await runInProcess(['evidence', 'commit', '--repo', repo, '--case', 'sample-8443', ...common]);
  assert.equal(committed.status, 0, committed.stderr);
  assert.match(committed.stdout, /case sample-8443: \d+ files and the manifest, \d+ source records copied\ncommitted [0-9a-f]{40} in /);
  assert.equal((await runInProcess(['evidence', 'verify', repo])).status, 0);
  appendFileSync(join(repo, 'cases', 'sample-8443', 'report.json'), ' ');
  const broken = await runInProcess(['evidence', 'verify', repo]);
  assert.equal(broken.status, 12);
  assert.match(broken.stdout, /FILE-CHANGED {2}sample-8443: report\.json/);
});

test('a bundle states whether each CloudTrail source file passed its digest validation', async () => {
  const logs = join(root, 'signed');
  const pair = makeKeyPair();
  const tree = writeTree(logs, { pair, hours: 2 });
  writeSidecar(tree.digests.at(-1)!);
  const keys = writeKeysFile(join(root, 'keys.json'), [{ pair }]);
  const signedEngine = await DuckDBEngine.open({ path: ':memory:' });
  try {
    await ingestPaths(signedEngine, [logs]);
    // One log file altered after delivery (and after ingest): its record is still copied, and marked.
    const tampered = tree.logs.find((l) => l.path.includes('h1b'))!.path;
    writeFileSync(tampered, gzipSync(Buffer.from(gunzipSync(readFileSync(tampered)).toString('utf8').replace('DescribeInstances', 'DescribeInstanceZ'))));
    const base = report.findings[0]!;
    const signedReport: Report = { ...report, findings: [{ ...base, evidence: ['h0a', 'h1b'].map((id) => ({ ...base.evidence[0]!, source_ref: id })) }] };
    const repo = join(root, 'repo-signed');
    const result = await commitEvidence(signedEngine, signedReport, {
      repo,
      caseId: 'signed',
      inputs: { intelFiles: [], runbookDir },
      trailbook: { version: 'test', judgementFingerprint: 'test' },
      integrity: { paths: [logs], publicKeys: loadPublicKeys(keys) },
    });
    const index = JSON.parse(readFileSync(join(result.caseDir, 'records', 'index.json'), 'utf8')) as SourceRecordEntry[];
    assert.equal(index.find((e) => e.sourceRef === 'h0a')?.digestValidation?.status, 'valid');
    assert.equal(index.find((e) => e.sourceRef === 'h1b')?.digestValidation?.status, 'invalid');
    assert.ok(readFileSync(join(result.caseDir, 'inputs', 'log-integrity.json'), 'utf8').includes('trailbook.log-integrity/v1'));
    assert.deepEqual(verifyEvidence(repo).problems, []);
    // Without keys, the records say they were not checked.
    const unchecked = await commitEvidence(signedEngine, signedReport, {
      repo,
      caseId: 'unchecked',
      inputs: { intelFiles: [], runbookDir },
      trailbook: { version: 'test', judgementFingerprint: 'test' },
    });
    const plain = JSON.parse(readFileSync(join(unchecked.caseDir, 'records', 'index.json'), 'utf8')) as SourceRecordEntry[];
    assert.ok(plain.every((e) => e.digestValidation?.status === 'not-checked'));
  } finally {
    await signedEngine.close();
  }
});
