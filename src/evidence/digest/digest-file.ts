import { createHash, constants, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { PublicKeyEntry } from './public-keys.js';

/**
 * One CloudTrail digest file (the AWS CloudTrail User Guide, "CloudTrail digest file structure";
 * summarised in docs/evidence.md). Only the fields validation reads are typed.
 */
export interface DigestLogEntry {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
}

export interface DigestDocument {
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogEntry[];
}

export interface ParsedDigest {
  document: DigestDocument;
  /** Hex SHA-256 of the uncompressed file: what the signing string and the next digest use. */
  sha256: string;
}

/** A digest is a few kilobytes; anything that inflates past this is not one. */
const MAX_DIGEST_BYTES = 64 * 1024 * 1024;

const REQUIRED_STRINGS = [
  'digestStartTime',
  'digestEndTime',
  'digestS3Bucket',
  'digestS3Object',
  'digestPublicKeyFingerprint',
  'digestSignatureAlgorithm',
] as const;
const PREVIOUS_FIELDS = [
  'previousDigestS3Bucket',
  'previousDigestS3Object',
  'previousDigestHashValue',
  'previousDigestHashAlgorithm',
  'previousDigestSignature',
] as const;

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The previous-digest fields are JSON null (or the string "null") on the first digest of a chain. */
function nullable(value: unknown): string | null {
  return typeof value === 'string' && value !== 'null' ? value : null;
}

/** Bytes as delivered (gzip or not) → the digest, or why it is not one. */
export function parseDigest(raw: Buffer): ParsedDigest | { error: string } {
  let bytes: Buffer;
  try {
    bytes = isGzip(raw) ? gunzipSync(raw, { maxOutputLength: MAX_DIGEST_BYTES }) : raw;
  } catch (error) {
    return { error: `cannot decompress: ${(error as Error).message}` };
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { error: 'not a JSON object' };
  const absent = REQUIRED_STRINGS.filter((field) => typeof doc[field] !== 'string');
  if (absent.length) return { error: `not a CloudTrail digest: no ${absent.join(', ')}` };
  if (!Array.isArray(doc.logFiles)) return { error: 'not a CloudTrail digest: no logFiles list' };
  const logFiles: DigestLogEntry[] = [];
  for (const [index, entry] of (doc.logFiles as Record<string, unknown>[]).entries()) {
    if (typeof entry?.s3Object !== 'string' || typeof entry.hashValue !== 'string') {
      return { error: `logFiles[${index}] has no s3Object or hashValue` };
    }
    logFiles.push({
      s3Bucket: typeof entry.s3Bucket === 'string' ? entry.s3Bucket : '',
      s3Object: entry.s3Object,
      hashValue: entry.hashValue.toLowerCase(),
      hashAlgorithm: typeof entry.hashAlgorithm === 'string' ? entry.hashAlgorithm : 'SHA-256',
    });
  }
  const document = { logFiles } as DigestDocument;
  for (const field of REQUIRED_STRINGS) document[field] = doc[field] as string;
  for (const field of PREVIOUS_FIELDS) document[field] = nullable(doc[field]);
  return { document, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The string CloudTrail signs: digest end time, `bucket/key` of this digest, the hex SHA-256 of its
 * uncompressed bytes and the previous digest's hex signature (the literal `null` on a chain's first
 * digest), joined by newlines.
 */
export function signingString(digest: ParsedDigest): string {
  const d = digest.document;
  return [d.digestEndTime, `${d.digestS3Bucket}/${d.digestS3Object}`, digest.sha256, d.previousDigestSignature ?? 'null'].join('\n');
}

/** SHA256withRSA (PKCS#1 v1.5) over the signing string; the signature is hex. */
export function signatureVerifies(digest: ParsedDigest, key: PublicKeyEntry, signatureHex: string): boolean {
  if (!/^(?:[0-9a-f]{2})+$/i.test(signatureHex)) return false;
  return verify('sha256', Buffer.from(signingString(digest), 'utf8'), { key: key.key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signatureHex, 'hex'));
}

export const SUPPORTED_SIGNATURE_ALGORITHM = 'SHA256withRSA';
