import type { Command } from 'commander';
import { writeConfigTemplate } from '../../config/init.js';
import { sanitizeForTerminal } from '../../report/escape.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a commented trailbook.yaml (store, intel feeds, trusted networks, default port) into a folder; never overwrites')
    .argument('[dir]', 'the project folder', '.')
    .action((dir: string) => {
      const path = writeConfigTemplate(dir);
      process.stdout.write(`wrote ${sanitizeForTerminal(path)}: uncomment what this project needs (docs/config.md)\n`);
    });
}
