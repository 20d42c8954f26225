import type { Command } from 'commander';
import { register as athena } from './athena.js';
import { register as completion } from './completion.js';
import { register as evidence } from './evidence.js';
import { register as exposures } from './exposures.js';
import { register as flows } from './flows.js';
import { register as ingest } from './ingest.js';
import { register as init } from './init.js';
import { register as intel } from './intel.js';
import { register as investigate } from './investigate.js';
import { register as respond } from './respond.js';
import { register as run } from './run.js';
import { register as runbook } from './runbook.js';
import { register as serve } from './serve.js';
import { register as sql } from './sql.js';
import { register as validateLogs } from './validate-logs.js';
import { register as watch } from './watch.js';

/** Each command module exports one `register(program)`; the CLI stays a thin list of them. */
export type RegisterCommand = (program: Command) => void;

// In the order a user meets them: the main job first, then the building blocks.
export const COMMANDS: RegisterCommand[] = [
  investigate,
  run,
  serve,
  watch,
  respond,
  ingest,
  exposures,
  flows,
  intel,
  runbook,
  sql,
  athena,
  evidence,
  validateLogs,
  init,
  completion,
];
