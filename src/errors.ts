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
  | 'OUTPUT'
  | 'UNDELIVERED'
  | 'INTERRUPTED';

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
  /** `watch --once`: alerts are still in the outbox (the receiver failed; a later run sends them) or were refused for good (docs/watch.md). */
  UNDELIVERED: 16,
  /** Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it): what was finished is kept (docs/watch.md). */
  INTERRUPTED: 130,
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

/** `respond apply` without `--yes`: checked, nothing changed (not an error: scripts must not mistake it for applied). */
export const DRY_RUN_STATUS = 14;
/** `respond apply`: a step failed (or, in a dry run, would fail) or cannot be run by apply. */
export const APPLY_FAILED_STATUS = 15;

/**
 * Every exit status trailbook can return, with its meaning: the error codes above plus success,
 * `--fail-on` and a bug. `trailbook --help` prints this list and docs/exit-codes.md states it
 * (a test checks both against this table).
 */
export const EXIT_STATUSES: ReadonlyArray<{ status: number; code?: ErrorCode; meaning: string }> = [
  { status: 0, meaning: 'success' },
  { status: 1, meaning: '--fail-on: a finding that severe or worse (the report is still printed); lint-query: an error' },
  { status: EXIT_CODES.USAGE, code: 'USAGE', meaning: 'usage: an unknown command or option, a bad value (--port, a time, a format)' },
  { status: EXIT_CODES.INPUT, code: 'INPUT', meaning: 'input not found or unreadable (a path, a runbook, no store at --db)' },
  { status: EXIT_CODES.NOTHING_READ, code: 'NOTHING_READ', meaning: 'nothing could be read from the given paths' },
  { status: EXIT_CODES.STRICT_SKIPS, code: 'STRICT_SKIPS', meaning: '--strict and something was skipped' },
  { status: EXIT_CODES.SQL, code: 'SQL', meaning: 'SQL error (a table or column that does not exist, a syntax error)' },
  { status: EXIT_CODES.RUNBOOK_INVALID, code: 'RUNBOOK_INVALID', meaning: 'invalid runbook' },
  { status: EXIT_CODES.RUNBOOK_TEST_FAILED, code: 'RUNBOOK_TEST_FAILED', meaning: 'runbook tests failed' },
  { status: EXIT_CODES.INTEL, code: 'INTEL', meaning: 'intel feed error (or an ip-ranges file `intel update` refuses)' },
  { status: EXIT_CODES.CONFIG, code: 'CONFIG', meaning: 'configuration error (trailbook.yaml, TRAILBOOK_* variables)' },
  { status: EXIT_CODES.SQL_REFUSED, code: 'SQL_REFUSED', meaning: '`sql` statement or access refused (read-only console)' },
  { status: EXIT_CODES.INTEGRITY, code: 'INTEGRITY', meaning: 'an integrity check failed (evidence verify, validate-logs; or git failed)' },
  { status: EXIT_CODES.OUTPUT, code: 'OUTPUT', meaning: 'a file or folder you named cannot be written (--out, --db, --repo, init)' },
  { status: DRY_RUN_STATUS, meaning: '`respond apply` without --yes: a dry run found no problem; nothing was changed' },
  { status: APPLY_FAILED_STATUS, meaning: '`respond apply`: a step failed, would fail or cannot be run (later steps skipped; the result says which)' },
  { status: EXIT_CODES.UNDELIVERED, code: 'UNDELIVERED', meaning: '`watch --once`: alerts left undelivered (pending in the outbox, or refused: failed/)' },
  { status: 70, meaning: 'a bug in trailbook (please report it with the command and the trace)' },
  { status: EXIT_CODES.INTERRUPTED, code: 'INTERRUPTED', meaning: 'interrupted (SIGINT, SIGTERM) between files: what was read is kept' },
];

/** The list `trailbook --help` ends with. */
export function exitStatusHelp(): string {
  return `Exit codes (docs/exit-codes.md):\n${EXIT_STATUSES.map((e) => `  ${String(e.status).padStart(2)}  ${e.meaning}`).join('\n')}`;
}
