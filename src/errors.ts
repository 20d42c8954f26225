/**
 * Typed errors. Library code throws these; the CLI edge (src/cli/program.ts) sorts them once:
 * a TrailbookError is a user or input problem and prints its message, location and hint with a
 * stable exit code; anything else is a bug and says so.
 */
export type ErrorCode =
  | 'USAGE'
  | 'INPUT'
  | 'NOTHING_READ'
  | 'STRICT_SKIPS'
  | 'SQL'
  | 'RUNBOOK_INVALID'
  | 'RUNBOOK_TEST_FAILED'
  | 'INTEL'
  | 'CONFIG'
  | 'SQL_REFUSED'
  | 'INTEGRITY'
  | 'OUTPUT';

/** Exit codes are part of the CLI contract: scripts depend on them. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  INPUT: 3,
  NOTHING_READ: 4,
  STRICT_SKIPS: 5,
  SQL: 6,
  RUNBOOK_INVALID: 7,
  RUNBOOK_TEST_FAILED: 8,
  INTEL: 9,
  CONFIG: 10,
  /** `trailbook sql` refused a statement or an access the read-only console does not allow. */
  SQL_REFUSED: 11,
  /** An integrity check failed: an evidence bundle does not verify, a log file fails its CloudTrail digest, or git failed. */
  INTEGRITY: 12,
  /** A file or folder the user named could not be written (src/files.ts): missing folder, permission, full disk. */
  OUTPUT: 13,
};

export interface ErrorDetails {
  /** `path/to/file:line:col`, an S3 key, or a runbook location. */
  location?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class TrailbookError extends Error {
  readonly code: ErrorCode;
  readonly location: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TrailbookError';
    this.code = code;
    this.location = details.location;
    this.hint = details.hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}
