import type { TrailbookError } from '../errors.js';
import { sanitizeForTerminal } from '../report/escape.js';

export function writeError(error: TrailbookError): void {
  const lines = [`trailbook: error: ${sanitizeForTerminal(error.message)}`];
  if (error.location) lines.push(`  at ${sanitizeForTerminal(error.location)}`);
  if (error.hint) lines.push(`  hint: ${sanitizeForTerminal(error.hint)}`);
  process.stderr.write(lines.join('\n') + '\n');
}

/**
 * The width text output is laid out in: the terminal's, else `COLUMNS` when it is set (a pager,
 * `COLUMNS=200 trailbook … | less`), else undefined (the renderer's default, 100).
 */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (stream.isTTY && stream.columns) return stream.columns;
  const columns = Number(env['COLUMNS']);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
