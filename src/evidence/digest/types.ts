/**
 * What `validateLogFiles` reports: one entry per digest file and one per CloudTrail log file, each
 * with a status and, when not valid, the reasons. The statuses follow docs/evidence.md
 * ("CloudTrail's own proof"); the evidence bundle reads them to say whether each source file was
 * digest-validated.
 */

/**
 * - `valid`: the RSA signature verifies with the key named by its fingerprint and nothing in the
 *   chain contradicts it.
 * - `invalid`: something is wrong (see `problems`).
 * - `signature-unavailable`: no signature to check (the newest digest's signature lives only in its
 *   S3 metadata; give a sidecar or `--signatures`). Never counted as valid.
 * - `missing`: a later digest names it as its previous one, an earlier digest of the same trail was
 *   given, and it is not among the files: a gap in the chain.
 */
export type DigestStatus = 'valid' | 'invalid' | 'signature-unavailable' | 'missing';

/**
 * - `valid`: its SHA-256 matches the entry of a valid digest.
 * - `invalid`: its SHA-256 differs from its digest entry.
 * - `unverified`: the hash matches, but the digest listing it is not valid (no signature, bad one).
 * - `missing`: a digest lists it, it is absent, and its folder was given (a deletion).
 * - `outside-input`: a digest lists it, but its folder was not among the files given (a digest at
 *   the edge of a downloaded range lists files of the neighbouring day). Reported, not a failure.
 * - `digest-missing`: no given digest lists it, and a digest of its account and region is missing
 *   around its delivery time (it was probably listed there).
 * - `not-covered`: no given digest lists it, and no missing digest explains why.
 */
export type LogFileStatus = 'valid' | 'invalid' | 'unverified' | 'missing' | 'outside-input' | 'digest-missing' | 'not-covered';

export type ProblemCode =
  | 'unreadable'
  | 'not-a-digest'
  | 'wrong-location'
  | 'unsupported-algorithm'
  | 'unknown-key'
  | 'key-not-valid-then'
  | 'bad-signature'
  | 'broken-chain'
  | 'hash-mismatch';

export interface Problem {
  code: ProblemCode;
  message: string;
}

export interface DigestResult {
  /** The S3 key from `AWSLogs/` on (or the file name when the path has no `AWSLogs/`). */
  key: string;
  /** Where it was found, as the user gave it; null when missing. */
  path: string | null;
  status: DigestStatus;
  problems: Problem[];
  /** `digestEndTime` (from the file name when missing). */
  endTime: string | null;
  /** Where the checked signature came from. */
  signatureSource: 'sidecar' | 'signatures-file' | 'next-digest' | null;
  /** How the chain starts at this digest when it does not go further back among the given files. */
  chainStart: 'first-digest' | 'before-input' | null;
  logFiles: number;
}

export interface LogFileResult {
  key: string;
  path: string | null;
  status: LogFileStatus;
  /** Why, in a sentence (empty when valid). */
  reason: string;
  /** The digest that lists it (or the missing one that probably did). */
  digest: string | null;
}

export interface IntegrityReport {
  schema: 'trailbook.log-integrity/v1';
  digests: DigestResult[];
  logFiles: LogFileResult[];
  /** CloudTrail Insights files no digest lists are counted here, not judged (docs/evidence.md). */
  uncheckedInsightFiles: number;
  /** True when every digest and every log file given is valid (`outside-input` is allowed). */
  ok: boolean;
}
