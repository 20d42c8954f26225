import { TrailbookError, type ErrorCode } from '../errors.js';

/**
 * The port a question asks about, from a flag, an environment variable or trailbook.yaml: one
 * wording for every way it can be wrong. Port 0 is not a port a connection reaches (it means
 * "any" to the socket API), so the question starts at 1. `code`: USAGE for a flag, CONFIG for
 * the environment and the file.
 */
export function parseQuestionPort(value: string | number, source: string, code: ErrorCode = 'USAGE', location?: string): number {
  const text = String(value).trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new TrailbookError(code, `${source} "${String(value)}" is not a port: a whole number from 1 to 65535`, {
    hint: 'e.g. --port 8443',
    ...(location ? { location } : {}),
  });
}

/** `--port` for commander: given twice is a mistake to say, not a silent "last one wins". */
export function portOption(value: string, previous: number | undefined): number {
  if (previous !== undefined) {
    throw new TrailbookError('USAGE', `--port is given twice (${previous} and ${value})`, { hint: 'one port per question: e.g. --port 8443' });
  }
  return parseQuestionPort(value, '--port');
}
