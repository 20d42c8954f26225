import type { TrailbookError } from '../errors.js';
import { sanitizeForTerminal } from '../report/escape.js';

export function writeError(error: TrailbookError): void {
  const lines = [`trailbook: error: ${sanitizeForTerminal(error.message)}`];
  if (error.location) lines.push(`  at ${sanitizeForTerminal(error.location)}`);
  if (error.hint) lines.push(`  hint: ${sanitizeForTerminal(error.hint)}`);
  process.stderr.write(lines.join('\n') + '\n');
}
