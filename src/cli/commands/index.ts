import type { Command } from 'commander';
import { register as exposures } from './exposures.js';
import { register as flows } from './flows.js';
import { register as intel } from './intel.js';
import { register as runbook } from './runbook.js';

/** Each command module exports one `register(program)`; the CLI stays a thin list of them. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [exposures, flows, intel, runbook];
