import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A small CloudTrail S3 tree made in the test: hourly digests chained and signed exactly as the
 * AWS CloudTrail User Guide documents (docs/evidence.md), and gzipped log files they list.
 * The signing string is written out here on purpose, not taken from the code under test.
 */
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const BUCKET = 'trail-bucket';
const TRAIL = 'org_main-trail';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

export function makeKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  return { privateKey, publicKey, fingerprint: createHash('md5').update(der).digest('hex') };
}

/** The shape `aws cloudtrail list-public-keys` prints. */
export function writeKeysFile(path: string, keys: readonly { pair: KeyPair; fingerprint?: string; from?: string; to?: string }[]): string {
  const PublicKeyList = keys.map(({ pair, fingerprint, from, to }) => ({
    Value: pair.publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64'),
    ValidityStartTime: from ?? '2024-01-01T00:00:00+00:00',
    ValidityEndTime: to ?? '2025-01-01T00:00:00+00:00',
    Fingerprint: fingerprint ?? pair.fingerprint,
  }));
  writeFileSync(path, JSON.stringify({ PublicKeyList }, null, 2));
  return path;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

export interface TreeFile {
  key: string;
  path: string;
}

export interface DigestFile extends TreeFile {
  signature: string;
  /** Hex SHA-256 of the uncompressed digest. */
  sha256: string;
  logs: TreeFile[];
}

export interface Tree {
  root: string;
  digests: DigestFile[];
  logs: TreeFile[];
}

function writeGz(root: string, key: string, text: string): string {
  const path = join(root, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(Buffer.from(text)));
  return path;
}

const stamp = (iso: string, seconds: boolean) => iso.replace(/[-:]/g, '').slice(0, seconds ? 15 : 13) + 'Z';

export function digestKeyAt(endIso: string): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail-Digest/${REGION}/${endIso.slice(0, 4)}/${endIso.slice(5, 7)}/${endIso.slice(8, 10)}/${ACCOUNT}_CloudTrail-Digest_${REGION}_${TRAIL}_${REGION}_${stamp(endIso, true)}.json.gz`;
}

export function logKeyAt(iso: string, id: string): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${ACCOUNT}_CloudTrail_${REGION}_${stamp(iso, false)}_${id}.json.gz`;
}

/** Writes a log file whose contents are a CloudTrail `{"Records":[…]}` document; returns its key and uncompressed hash. */
export function writeLog(root: string, iso: string, id: string) {
  const key = logKeyAt(iso, id);
  const text = JSON.stringify({
    Records: [{ eventVersion: '1.08', eventTime: iso, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', awsRegion: REGION, eventID: id }],
  });
  return { key, path: writeGz(root, key, text), sha256: sha256(text) };
}

export interface TreeOptions {
  hours?: number;
  pair: KeyPair;
  /** Change a digest document before it is hashed and signed (index 0 is the oldest). */
  beforeSigning?: (doc: Record<string, unknown>, index: number) => void;
}

/** `hours` hourly digests from 2024-05-01T10:00Z, each listing two log files of its hour. */
export function writeTree(root: string, options: TreeOptions): Tree {
  const hours = options.hours ?? 3;
  const tree: Tree = { root, digests: [], logs: [] };
  let previous: DigestFile | null = null;
  for (let h = 0; h < hours; h++) {
    const start = new Date(Date.UTC(2024, 4, 1, 10 + h)).toISOString().replace('.000', '');
    const end = new Date(Date.UTC(2024, 4, 1, 11 + h)).toISOString().replace('.000', '');
    const logs = ['a', 'b'].map((id, i) => writeLog(root, new Date(Date.UTC(2024, 4, 1, 10 + h, 5 + 20 * i)).toISOString(), `h${h}${id}`));
    const key = digestKeyAt(end);
    const doc: Record<string, unknown> = {
      awsAccountId: ACCOUNT,
      digestStartTime: start,
      digestEndTime: end,
      digestS3Bucket: BUCKET,
      digestS3Object: key,
      digestPublicKeyFingerprint: options.pair.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: end,
      oldestEventTime: start,
      previousDigestS3Bucket: previous ? BUCKET : null,
      previousDigestS3Object: previous ? previous.key : null,
      previousDigestHashValue: previous ? previous.sha256 : null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous ? previous.signature : null,
      logFiles: logs.map((log) => ({
        s3Bucket: BUCKET,
        s3Object: log.key,
        hashValue: log.sha256,
        hashAlgorithm: 'SHA-256',
        newestEventTime: end,
        oldestEventTime: start,
      })),
    };
    options.beforeSigning?.(doc, h);
    const text = JSON.stringify(doc);
    const digestSha = sha256(text);
    // The documented data-signing string: end time, bucket/key, hash of this digest, previous signature.
    const signingString = `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${digestSha}\n${doc.previousDigestSignature ?? 'null'}`;
    const signature = sign('sha256', Buffer.from(signingString), options.pair.privateKey).toString('hex');
    const files = logs.map(({ key: k, path }) => ({ key: k, path }));
    const digest: DigestFile = { key, path: writeGz(root, key, text), signature, sha256: digestSha, logs: files };
    tree.digests.push(digest);
    tree.logs.push(...files);
    previous = digest;
  }
  return tree;
}

/** The sidecar convention: `<digest>.sig` holding the hex of its x-amz-meta-signature. */
export function writeSidecar(digest: DigestFile): void {
  writeFileSync(digest.path + '.sig', digest.signature + '\n');
}
