import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TrailbookError } from '../../errors.js';
import { awsLogsKey } from './s3-keys.js';

/**
 * A digest's own signature is S3 object metadata (`x-amz-meta-signature`), which a plain download
 * drops. Offline it can come from (docs/evidence.md, "Signature files"):
 * - a sidecar `<digest file>.sig` beside it: the hex signature, or the JSON that
 *   `aws s3api head-object` prints (`Metadata.signature`);
 * - a `--signatures FILE`: a JSON object from S3 key (or file name) to hex signature;
 * - the next digest's `previousDigestSignature` (handled by the chain, not here).
 */
export type SignatureMap = ReadonlyMap<string, string>;

export const SIDECAR_SUFFIX = '.sig';

/** The hex in a sidecar or map value: the plain hex, or head-object's JSON. */
function signatureFromText(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const doc = JSON.parse(trimmed) as { Metadata?: { signature?: unknown } };
      return typeof doc.Metadata?.signature === 'string' ? doc.Metadata.signature.trim() : null;
    } catch {
      return null;
    }
  }
  return trimmed || null;
}

export function readSidecar(digestPath: string): string | null {
  try {
    return signatureFromText(readFileSync(digestPath + SIDECAR_SUFFIX, 'utf8'));
  } catch {
    return null;
  }
}

export function loadSignatureMap(path: string): SignatureMap {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TrailbookError('INPUT', `cannot read the signatures file: ${(error as Error).message}`, {
      location: path,
      hint: 'a JSON object: {"AWSLogs/…/…_CloudTrail-Digest_….json.gz": "<hex signature>", …} (docs/evidence.md)',
    });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new TrailbookError('INPUT', 'the signatures file is not a JSON object of key → hex signature', { location: path });
  }
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value !== 'string') throw new TrailbookError('INPUT', `the signature of ${key} is not a string`, { location: path });
    map.set(awsLogsKey(key) ?? key, value.trim());
  }
  return map;
}

/** The map's signature for a digest, by its `AWSLogs/` key or its file name. */
export function signatureFromMap(map: SignatureMap, key: string): string | null {
  return map.get(key) ?? map.get(basename(key)) ?? null;
}
