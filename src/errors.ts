/**
 * Typed errors. Library code throws these; the CLI edge (src/cli/main.ts) sorts them once:
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
  | 'INTEGRITY';

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
  /** A file failed an integrity check (`validate-logs`): changed, missing, unsigned or not covered. */
  INTEGRITY: 11,
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
