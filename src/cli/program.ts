import { Command, CommanderError } from 'commander';
import { exitStatusHelp, TrailbookError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { addExamples } from './examples.js';
import { writeError } from './output.js';

/**
 * The CLI edge: builds the commander program from the command modules and sorts errors once.
 * A TrailbookError is the user's or the input's problem (message, location, hint, stable exit
 * code); anything else is a bug in trailbook and says so.
 */
export function buildProgram(): Command {
  const program = new Command('trailbook')
    .description('AWS incident response runbooks as code: CloudTrail + VPC Flow Logs, port 8443 first')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  addExamples(program);
  program.addHelpText('after', `\n${exitStatusHelp()}`);
  return program;
}

/** Runs one command line and returns its exit status (the entry point is main.ts; tests call this in-process). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof TrailbookError) {
      writeError(error);
      return error.exitCode;
    }
    process.stderr.write(
      `trailbook: this is a bug. Please report it with the command you ran and this trace:\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 70;
  }
}
