import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TrailbookError } from '../../errors.js';

/**
 * CloudTrail's public keys, as the user saved them with `aws cloudtrail list-public-keys`
 * (`{"PublicKeyList":[{"Value","ValidityStartTime","ValidityEndTime","Fingerprint"}]}`): `Value`
 * is the base64 of a DER PKCS#1 RSA public key. A digest names its key by `digestPublicKeyFingerprint`.
 */
export interface PublicKeyEntry {
  fingerprint: string;
  key: KeyObject;
  validFrom: number | null;
  validTo: number | null;
}

export type PublicKeys = ReadonlyMap<string, PublicKeyEntry>;

const HINT = 'save it with: aws cloudtrail list-public-keys --start-time <first day> --end-time <last day> > keys.json (docs/evidence.md)';

/** The CLI prints times as ISO strings, or as epoch seconds with `cli_timestamp_format = none`. */
function parseKeyTime(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  return Number.NaN;
}

function rsaKeyFromDer(der: Buffer): KeyObject | null {
  for (const type of ['pkcs1', 'spki'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // not this encoding; try the next one
    }
  }
  return null;
}

export function parsePublicKeys(text: string, source: string): PublicKeys {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TrailbookError('INPUT', `public keys file is not JSON: ${(error as Error).message}`, { location: source, hint: HINT });
  }
  const list = (doc as { PublicKeyList?: unknown } | null)?.PublicKeyList;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TrailbookError('INPUT', 'public keys file has no PublicKeyList entries', { location: source, hint: HINT });
  }
  const keys = new Map<string, PublicKeyEntry>();
  list.forEach((entry: Record<string, unknown>, index) => {
    const where = `${source}: PublicKeyList[${index}]`;
    const fingerprint = typeof entry?.Fingerprint === 'string' ? entry.Fingerprint.toLowerCase() : '';
    const key = typeof entry?.Value === 'string' ? rsaKeyFromDer(Buffer.from(entry.Value, 'base64')) : null;
    const validFrom = parseKeyTime(entry?.ValidityStartTime);
    const validTo = parseKeyTime(entry?.ValidityEndTime);
    if (!fingerprint) throw new TrailbookError('INPUT', 'a public key has no Fingerprint', { location: where, hint: HINT });
    if (!key) throw new TrailbookError('INPUT', 'Value is not a base64 DER RSA public key', { location: where, hint: HINT });
    if (Number.isNaN(validFrom) || Number.isNaN(validTo))
      throw new TrailbookError('INPUT', 'ValidityStartTime/ValidityEndTime is not a time', { location: where, hint: HINT });
    keys.set(fingerprint, { fingerprint, key, validFrom, validTo });
  });
  return keys;
}

export function loadPublicKeys(path: string): PublicKeys {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrailbookError('INPUT', `cannot read the public keys file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      location: path,
      hint: HINT,
    });
  }
  return parsePublicKeys(text, path);
}
