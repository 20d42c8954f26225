import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { TrailbookError } from '../../errors.js';
import { listLocalFiles, type LocalFile } from '../../sources/local.js';
import { parseS3Layout } from '../../sources/s3-layout.js';
import { compareText } from '../../text.js';
import { isoUtc } from '../../time.js';
import { sha256OfContents } from './contents-hash.js';
import { parseDigest, signatureVerifies, SUPPORTED_SIGNATURE_ALGORITHM, type ParsedDigest } from './digest-file.js';
import type { PublicKeys } from './public-keys.js';
import { awsLogsKey, isDigestName, keyFolder, localKey, parseDigestName, parseLogName, type LogName } from './s3-keys.js';
import { readSidecar, SIDECAR_SUFFIX, signatureFromMap, type SignatureMap } from './signatures.js';
import type { DigestResult, IntegrityReport, LogFileResult, LogFileStatus, Problem } from './types.js';

export interface ValidateOptions {
  /** From `aws cloudtrail list-public-keys` (`loadPublicKeys`). */
  publicKeys: PublicKeys;
  /** Digest signatures saved from S3 metadata (`loadSignatureMap`); sidecars are read regardless. */
  signatures?: SignatureMap;
}

interface LocalDigest {
  file: LocalFile;
  key: string;
  parsed: ParsedDigest | null;
  result: DigestResult;
}

interface LocalLog {
  file: LocalFile;
  key: string;
  name: LogName | null;
}

/** A digest named as previous by a later one and absent, with earlier digests of its trail given. */
interface Gap {
  key: string;
  account: string;
  region: string;
  /** Log files delivered in this window would have been listed by the missing digest. */
  fromMs: number;
  toMs: number;
}

const HOUR_MS = 60 * 60 * 1000;

/** The worse of two results for a file listed twice (a backfill digest can list it again). */
const SEVERITY: Record<LogFileStatus, number> = { invalid: 6, missing: 5, unverified: 4, 'digest-missing': 3, 'not-covered': 2, valid: 1, 'outside-input': 0 };

function problem(code: Problem['code'], message: string): Problem {
  return { code, message };
}

/** The S3 key a digest names, in the form local files are indexed by. */
function s3Key(s3Object: string): string {
  return awsLogsKey(s3Object) ?? s3Object;
}

function classify(files: readonly LocalFile[]) {
  const digests: LocalFile[] = [];
  const logs: LocalLog[] = [];
  for (const file of files) {
    if (file.path.endsWith(SIDECAR_SUFFIX)) continue;
    const layout = parseS3Layout(file.path);
    const key = localKey(file.path);
    if (layout?.kind === 'cloudtrail-digest' || isDigestName(file.path)) digests.push(file);
    else if (layout?.kind === 'cloudtrail' || layout?.kind === 'cloudtrail-insight' || parseLogName(key)) logs.push({ file, key, name: parseLogName(key) });
  }
  return { digests, logs };
}

async function readDigests(files: readonly LocalFile[]): Promise<LocalDigest[]> {
  const out: LocalDigest[] = [];
  for (const file of files) {
    const key = localKey(file.path);
    const result: DigestResult = {
      key,
      path: file.displayPath,
      status: 'invalid',
      problems: [],
      endTime: null,
      signatureSource: null,
      chainStart: null,
      logFiles: 0,
    };
    let parsed: ParsedDigest | null = null;
    try {
      const outcome = parseDigest(await readFile(file.path));
      if ('error' in outcome) result.problems.push(problem('not-a-digest', outcome.error));
      else parsed = outcome;
    } catch (error) {
      result.problems.push(problem('unreadable', `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`));
    }
    if (parsed) {
      result.endTime = parsed.document.digestEndTime;
      result.logFiles = parsed.document.logFiles.length;
    }
    out.push({ file, key, parsed, result });
  }
  return out;
}

/** Each given digest's previous one among the files given (by key, or by file name: it is unique), and the reverse. */
function linkDigests(digests: readonly LocalDigest[]) {
  const byKey = new Map<string, LocalDigest>();
  for (const d of digests) byKey.set(d.key, d).set(basename(d.key), d);
  const previousOf = new Map<LocalDigest, LocalDigest>();
  const successorsOf = new Map<LocalDigest, LocalDigest[]>();
  for (const next of digests) {
    const object = next.parsed?.document.previousDigestS3Object;
    const previous = object ? (byKey.get(s3Key(object)) ?? byKey.get(basename(object))) : undefined;
    if (!previous) continue;
    previousOf.set(next, previous);
    successorsOf.set(previous, [...(successorsOf.get(previous) ?? []), next]);
  }
  return { previousOf, successorsOf };
}

/**
 * The previous-digest links: each digest's hash must be what the next one recorded; a previous
 * digest that is absent is a gap when an earlier digest of the same trail was given, else the
 * chain simply continues before the given files.
 */
function checkChain(digests: readonly LocalDigest[], previousOf: ReadonlyMap<LocalDigest, LocalDigest>): { missing: DigestResult[]; gaps: Gap[] } {
  const missing = new Map<string, DigestResult>();
  const gaps: Gap[] = [];
  for (const next of digests) {
    const doc = next.parsed?.document;
    if (!doc) continue;
    if (doc.previousDigestS3Object === null) {
      next.result.chainStart = 'first-digest';
      continue;
    }
    const previousKey = s3Key(doc.previousDigestS3Object);
    const previous = previousOf.get(next);
    if (previous) {
      if (previous.parsed && doc.previousDigestHashValue?.toLowerCase() !== previous.parsed.sha256) {
        previous.result.problems.push(
          problem(
            'broken-chain',
            `its SHA-256 is ${previous.parsed.sha256}, but the next digest ${basename(next.key)} recorded ${doc.previousDigestHashValue ?? 'none'}`,
          ),
        );
      }
      continue;
    }
    const name = parseDigestName(previousKey);
    const earlier = name
      ? digests.filter((d) => d.parsed && parseDigestName(d.key)?.chain === name.chain && Date.parse(d.parsed.document.digestEndTime) < name.endMs)
      : [];
    if (!name || earlier.length === 0) {
      next.result.chainStart = 'before-input';
      continue;
    }
    const lastBefore = Math.max(...earlier.map((d) => Date.parse(d.parsed!.document.digestEndTime)));
    gaps.push({ key: previousKey, account: name.account, region: name.region, fromMs: lastBefore - HOUR_MS, toMs: Date.parse(doc.digestStartTime) });
    if (!missing.has(previousKey)) {
      missing.set(previousKey, {
        key: previousKey,
        path: null,
        status: 'missing',
        problems: [
          problem(
            'broken-chain',
            `${basename(next.key)} names it as its previous digest, and it is not among the files given (earlier digests of this trail are)`,
          ),
        ],
        endTime: isoUtc(name.endMs),
        signatureSource: null,
        chainStart: null,
        logFiles: 0,
      });
    }
  }
  return { missing: [...missing.values()], gaps };
}

/** Signature candidates in the order a user would trust them: their own copy first, then the chain's. */
function signatureCandidates(digest: LocalDigest, successors: readonly LocalDigest[], options: ValidateOptions) {
  const candidates: { source: NonNullable<DigestResult['signatureSource']>; hex: string }[] = [];
  const sidecar = readSidecar(digest.file.path);
  if (sidecar) candidates.push({ source: 'sidecar', hex: sidecar });
  const mapped = options.signatures ? signatureFromMap(options.signatures, digest.key) : null;
  if (mapped) candidates.push({ source: 'signatures-file', hex: mapped });
  for (const next of successors) {
    const hex = next.parsed?.document.previousDigestSignature;
    if (hex) candidates.push({ source: 'next-digest', hex });
  }
  return candidates;
}

function checkSignature(digest: LocalDigest, successors: readonly LocalDigest[], options: ValidateOptions): void {
  const { parsed, result } = digest;
  if (!parsed) return;
  const doc = parsed.document;
  // CloudTrail's step "verify the digest was retrieved from its original location": the signed
  // key must be where the file is (a renamed or moved digest still carries a good signature).
  const signedKey = s3Key(doc.digestS3Object);
  if (signedKey !== digest.key && basename(signedKey) !== digest.key) {
    result.problems.push(problem('wrong-location', `it was delivered as ${signedKey}, not where it is now`));
  }
  if (doc.digestSignatureAlgorithm !== SUPPORTED_SIGNATURE_ALGORITHM) {
    result.problems.push(problem('unsupported-algorithm', `signature algorithm ${doc.digestSignatureAlgorithm}, expected ${SUPPORTED_SIGNATURE_ALGORITHM}`));
    return;
  }
  const candidates = signatureCandidates(digest, successors, options);
  if (candidates.length === 0) return; // signature-unavailable, unless another problem makes it invalid
  const key = options.publicKeys.get(doc.digestPublicKeyFingerprint.toLowerCase());
  if (!key) {
    result.problems.push(problem('unknown-key', `signed with key ${doc.digestPublicKeyFingerprint}, which is not in the public keys file`));
    return;
  }
  const endMs = Date.parse(doc.digestEndTime);
  if ((key.validFrom !== null && endMs < key.validFrom) || (key.validTo !== null && endMs > key.validTo)) {
    result.problems.push(problem('key-not-valid-then', `key ${key.fingerprint} was not valid at ${doc.digestEndTime}`));
  }
  const good = candidates.find((c) => signatureVerifies(parsed, key, c.hex));
  if (good) result.signatureSource = good.source;
  else {
    const sources = [...new Set(candidates.map((c) => c.source))].join(', ');
    result.problems.push(
      problem('bad-signature', `the signature (from ${sources}) does not verify with key ${key.fingerprint}: the digest is not what CloudTrail signed`),
    );
  }
}

function settleDigestStatus(result: DigestResult): void {
  if (result.problems.length) result.status = 'invalid';
  else result.status = result.signatureSource ? 'valid' : 'signature-unavailable';
}

async function checkListedLogs(
  digests: readonly LocalDigest[],
  logByKey: ReadonlyMap<string, LocalLog>,
  givenFolders: ReadonlySet<string>,
): Promise<Map<string, LogFileResult>> {
  const results = new Map<string, LogFileResult>();
  const hashes = new Map<string, string | Error>();
  const record = (entry: LogFileResult) => {
    const before = results.get(entry.key);
    if (!before || SEVERITY[entry.status] > SEVERITY[before.status]) results.set(entry.key, entry);
  };
  for (const digest of digests) {
    if (!digest.parsed) continue;
    // Reasons name a digest by its file name (account, region, trail and time: unique and readable);
    // the full key is in `digest`.
    const listedBy = basename(digest.key);
    const digestOk = digest.result.status === 'valid';
    for (const entry of digest.parsed.document.logFiles) {
      const key = s3Key(entry.s3Object);
      const local = logByKey.get(key) ?? logByKey.get(basename(key));
      if (!local) {
        const given = givenFolders.has(keyFolder(key));
        record({
          key,
          path: null,
          status: given ? 'missing' : 'outside-input',
          reason: given ? `listed by ${listedBy}, absent from its folder` : `listed by ${listedBy}; its folder was not among the files given`,
          digest: digest.key,
        });
        continue;
      }
      if (!hashes.has(local.key)) hashes.set(local.key, await sha256OfContents(local.file.path).catch((error: Error) => error));
      const hash = hashes.get(local.key)!;
      const base = { key: local.key, path: local.file.displayPath, digest: digest.key };
      if (hash instanceof Error) record({ ...base, status: 'invalid', reason: `cannot read its contents: ${hash.message}` });
      else if (entry.hashAlgorithm !== 'SHA-256')
        record({ ...base, status: 'invalid', reason: `${listedBy} records a ${entry.hashAlgorithm} hash, not SHA-256` });
      else if (hash !== entry.hashValue)
        record({ ...base, status: 'invalid', reason: `hash mismatch: its contents hash to ${hash}, ${listedBy} recorded ${entry.hashValue}` });
      else if (!digestOk)
        record({
          ...base,
          status: 'unverified',
          reason: `hash matches ${listedBy}, ${digest.result.status === 'invalid' ? 'which is invalid' : 'whose signature is unavailable'}`,
        });
      else record({ ...base, status: 'valid', reason: '' });
    }
  }
  return results;
}

function unlistedLog(log: LocalLog, gaps: readonly Gap[]): LogFileResult {
  const gap = log.name
    ? gaps.find((g) => g.account === log.name!.account && g.region === log.name!.region && log.name!.timeMs >= g.fromMs && log.name!.timeMs <= g.toMs)
    : undefined;
  if (gap)
    return {
      key: log.key,
      path: log.file.displayPath,
      status: 'digest-missing',
      reason: `no given digest lists it; the missing digest ${basename(gap.key)} probably did`,
      digest: gap.key,
    };
  return { key: log.key, path: log.file.displayPath, status: 'not-covered', reason: 'no given digest lists it', digest: null };
}

/**
 * Validates CloudTrail log files and digest files offline, as `aws cloudtrail validate-logs` does
 * online: every digest's RSA signature with the user's public keys, the previous-digest chain, and
 * every listed log file's SHA-256. `paths` are files and folders (searched recursively).
 */
export async function validateLogFiles(paths: readonly string[], options: ValidateOptions): Promise<IntegrityReport> {
  const { digests: digestFiles, logs } = classify(await listLocalFiles(paths));
  if (digestFiles.length === 0 && logs.length === 0) {
    throw new TrailbookError('NOTHING_READ', 'no CloudTrail digest or log files under the paths given', {
      hint: 'give the AWSLogs folder that holds CloudTrail/ and CloudTrail-Digest/',
    });
  }
  const digests = await readDigests(digestFiles);
  const { previousOf, successorsOf } = linkDigests(digests);
  const { missing, gaps } = checkChain(digests, previousOf);
  for (const d of digests) checkSignature(d, successorsOf.get(d) ?? [], options);
  for (const d of digests) settleDigestStatus(d.result);

  const logByKey = new Map<string, LocalLog>();
  for (const log of logs) {
    logByKey.set(log.key, log);
    if (awsLogsKey(log.file.path) === null) logByKey.set(basename(log.key), log);
  }
  const givenFolders = new Set([...logs.map((l) => l.key), ...digests.map((d) => d.key)].map(keyFolder));
  const listed = await checkListedLogs(digests, logByKey, givenFolders);
  let uncheckedInsightFiles = 0;
  for (const log of logs) {
    if (listed.has(log.key)) continue;
    if (log.name?.insight || parseS3Layout(log.file.path)?.kind === 'cloudtrail-insight') uncheckedInsightFiles++;
    else listed.set(log.key, unlistedLog(log, gaps));
  }

  const digestResults = [...digests.map((d) => d.result), ...missing].sort((a, b) => compareText(a.key, b.key));
  const logResults = [...listed.values()].sort((a, b) => compareText(a.key, b.key));
  const ok = digestResults.every((d) => d.status === 'valid') && logResults.every((l) => l.status === 'valid' || l.status === 'outside-input');
  return { schema: 'trailbook.log-integrity/v1', digests: digestResults, logFiles: logResults, uncheckedInsightFiles, ok };
}
