import type { Command } from 'commander';
import { TrailbookError } from '../../errors.js';
import { loadPublicKeys, loadSignatureMap, renderIntegrityText, validateLogFiles } from '../../evidence/digest/index.js';

interface ValidateLogsFlags {
  publicKeys: string;
  signatures?: string;
  format: string;
}

export function register(program: Command): void {
  program
    .command('validate-logs')
    .description("check CloudTrail's own proof offline: digest signatures, the digest chain, each log file's SHA-256")
    .argument('<paths...>', 'folders (searched recursively) and files: CloudTrail/ and CloudTrail-Digest/ as downloaded')
    .requiredOption('--public-keys <file>', 'the JSON of `aws cloudtrail list-public-keys` for the period')
    .option('--signatures <file>', 'JSON object: digest S3 key (or file name) → hex signature from its x-amz-meta-signature')
    .option('--format <format>', 'text | json', 'text')
    .action(async (paths: string[], flags: ValidateLogsFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        throw new TrailbookError('USAGE', `--format ${flags.format} is not one of text, json`);
      }
      const report = await validateLogFiles(paths, {
        publicKeys: loadPublicKeys(flags.publicKeys),
        ...(flags.signatures ? { signatures: loadSignatureMap(flags.signatures) } : {}),
      });
      process.stdout.write(flags.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderIntegrityText(report));
      if (!report.ok) {
        const bad =
          report.digests.filter((d) => d.status !== 'valid').length +
          report.logFiles.filter((l) => l.status !== 'valid' && l.status !== 'outside-input').length;
        throw new TrailbookError('INTEGRITY', `${bad} file${bad === 1 ? ' is' : 's are'} not valid`, {
          hint: 'each is listed above with why (docs/evidence.md)',
        });
      }
    });
}
