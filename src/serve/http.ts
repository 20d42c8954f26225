import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorCode, TrailbookError } from '../errors.js';
import { ParameterError } from '../runbook/compile.js';

/** A TrailbookError that also says its HTTP status (a missing run, a record outside the ledger). */
export class ApiError extends TrailbookError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    hint?: string,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}

export function notFound(message: string, hint?: string): ApiError {
  return new ApiError(404, 'INPUT', message, hint);
}

/** The status of a library error: the user's mistake (4xx), or the server's (5xx). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  USAGE: 400,
  INPUT: 400,
  SQL: 400,
  SQL_REFUSED: 400,
  RUNBOOK_INVALID: 422,
  INTEL: 422,
  CONFIG: 500,
  INTEGRITY: 500,
  OUTPUT: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; problems?: unknown };
}

/** Any error → status and the contract's error body; a bug is said to be one, without its trace. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof TrailbookError) {
    const status = error instanceof ApiError ? error.status : (STATUS[error.code] ?? 500);
    const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
    if (error instanceof ParameterError) body.error.problems = error.problems;
    return { status, body };
  }
  return { status: 500, body: { error: { code: 'BUG', message: 'this is a bug in trailbook: the server log has the trace' } } };
}

/**
 * JSON as UTF-8: every string from the logs is a JSON string. Beyond JSON's own escaping, `<`,
 * `>`, `&`, the line separators and the bidirectional controls are written as \u escapes: the
 * same JSON once parsed, but no markup or reordering in the bytes should anything ever show them raw.
 */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value).replace(
    /[<>&\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  send(response, status, 'application/json; charset=utf-8', text);
}

export function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/** A request's JSON body (an object), at most `limit` bytes. */
export async function readJsonBody(request: IncomingMessage, limit = 1024 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'USAGE', `the request body is over ${limit} bytes`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new ApiError(400, 'USAGE', 'the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'USAGE', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A string field of a body or query, or undefined; anything else is the caller's mistake. */
export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, 'USAGE', `${name} must be a string`);
  return value;
}

export function requiredString(value: unknown, name: string): string {
  const text = optionalString(value, name);
  if (text === undefined || text === '') throw new ApiError(400, 'USAGE', `${name} is required`);
  return text;
}
