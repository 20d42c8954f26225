import type { Command } from 'commander';
import { TrailbookError } from '../../errors.js';
import { knownRunbookIds } from '../../runbook/resolve.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';

/** `trailbook completion bash|zsh|fish`: prints a completion script written from the program's own command tree. */
export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, runbook ids for run): bash | zsh | fish')
    .argument('<shell>', 'bash | zsh | fish')
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new TrailbookError('USAGE', `no completion for shell "${shell}"`, { hint: `use one of: ${SHELLS.join(', ')}` });
      }
      process.stdout.write(completionScript(shell as Shell, program, knownRunbookIds()));
    });
}
