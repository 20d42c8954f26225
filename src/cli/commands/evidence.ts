import type { Command } from 'commander';
import { DuckDBEngine } from '../../local-store.js';
import { commitEvidence } from '../../evidence/bundle.js';
import { loadPublicKeys, loadSignatureMap } from '../../evidence/digest/index.js';
import { verifyEvidence } from '../../evidence/verify.js';
import { EXIT_CODES, TrailbookError } from '../../errors.js';
import { loadIntel } from '../../intel/index.js';
import { feedsWithInstalledRanges } from '../../intel/aws-ranges.js';
import { portOption } from '../../config/port.js';
import { requireStore } from '../../store/location.js';
import { investigate } from '../../investigate/investigate.js';
import { storeInputs } from '../../investigate/inputs.js';
import { judgementFingerprint } from '../../ports/fingerprint.js';
import { sanitizeForTerminal } from '../../report/escape.js';
import { loadRunbook } from '../../runbook/load.js';
import { TRAILBOOK_VERSION } from '../../version.js';
import { collectList, DB_HELP, PORT_HELP, runbookOption, settingsFor, SINCE_HELP, TimeFlags } from '../options.js';

interface CommitFlags {
  repo: string;
  case?: string;
  finding?: string[];
  db?: string;
  port?: number;
  from?: string;
  since?: string;
  to?: string;
  intel?: string[];
  trusted?: string;
  runbook: string;
  publicKeys?: string;
  signatures?: string;
  digests?: string[];
}

export function register(program: Command): void {
  const evidence = program.command('evidence').description('commit an investigation as an evidence bundle to a git repository, and verify bundles');
  evidence
    .command('commit')
    .description('run the runbook on the store and commit the report, the exact source records and the inputs, with a hashed manifest')
    .requiredOption('--repo <dir>', 'the evidence git repository (created when absent)')
    .option('--case <id>', 'case id (default: runbook-port-from-to); committing the same case again chains to its last manifest')
    .option('--finding <id>', 'only this finding (repeat)', collectList)
    .option('--db <file>', DB_HELP)
    .option('--port <port>', PORT_HELP, portOption)
    .option('--from <time>', 'start of the window (ISO-8601)')
    .option('--since <duration>', SINCE_HELP)
    .option('--to <time>', 'end of the window (ISO-8601)')
    .option('--intel <feed>', 'threat-intel feed file, FORMAT:PATH allowed (repeat)', collectList)
    .option('--trusted <file>', 'trusted-networks YAML')
    .addOption(runbookOption())
    .option('--public-keys <file>', 'validate the CloudTrail source files against their digests: the JSON of `aws cloudtrail list-public-keys`')
    .option('--digests <path>', 'with --public-keys: folder holding CloudTrail-Digest/ (repeat; default: none besides the source files)', collectList)
    .option('--signatures <file>', 'with --public-keys: digest signatures saved from S3 metadata (see validate-logs)')
    .action(async (flags: CommitFlags) => {
      const times = new TimeFlags();
      // --since is read here (a time back from now); --from stays as given, for the runbook's own check.
      const since = times.start(flags);
      times.announce();
      const settings = settingsFor({ db: flags.db, intel: flags.intel, trusted: flags.trusted, port: flags.port }, ['db', 'intel', 'trusted', 'port']);
      const { db, port } = settings;
      requireStore(db);
      const runbook = await loadRunbook(flags.runbook);
      const feeds = feedsWithInstalledRanges(settings.intel, db);
      const intel = await loadIntel({ feeds, trusted: settings.trusted });
      const engine = await DuckDBEngine.openForReading({ path: db });
      try {
        const inputs = await storeInputs(engine);
        if (inputs.cloudtrail.events === 0 && inputs.vpcflow.records === 0) {
          throw new TrailbookError('INPUT', `the store ${db} holds no CloudTrail events and no flow records`, {
            hint: 'ingest or investigate the logs first, or give --db',
          });
        }
        const parameters: Record<string, unknown> = { port };
        if (flags.since !== undefined && since) parameters['from'] = since.iso;
        else if (flags.from) parameters['from'] = flags.from;
        if (flags.to) parameters['to'] = flags.to;
        const report = await investigate(engine, { runbook, parameters, intel, inputs: { ...inputs, config: settings.provenance } });
        const result = await commitEvidence(engine, report, {
          repo: flags.repo,
          ...(flags.case ? { caseId: flags.case } : {}),
          ...(flags.finding ? { findings: flags.finding } : {}),
          inputs: { intelFiles: feeds, ...(settings.trusted ? { trustedFile: settings.trusted } : {}), runbookDir: flags.runbook },
          trailbook: { version: TRAILBOOK_VERSION, judgementFingerprint: judgementFingerprint() },
          ...(flags.publicKeys
            ? {
                integrity: {
                  paths: flags.digests ?? [],
                  publicKeys: loadPublicKeys(flags.publicKeys),
                  ...(flags.signatures ? { signatures: loadSignatureMap(flags.signatures) } : {}),
                },
              }
            : {}),
        });
        process.stdout.write(
          `case ${result.caseId}: ${result.files} files and the manifest, ${result.records.copied} source records copied` +
            `${result.records.missing ? `, ${result.records.missing} missing (see records/index.json)` : ''}\n` +
            `committed ${result.commit} in ${sanitizeForTerminal(flags.repo)}\nmanifest sha256 ${result.manifestSha256}\n`,
        );
      } finally {
        await engine.close();
      }
    });
  evidence
    .command('verify')
    .description('recompute every hash, check each manifest against its files and its predecessor, and the git history')
    .argument('<dir>', 'the evidence repository, or one bundle folder')
    .option('--case <id>', 'only this case')
    .option('--format <format>', 'text | json', 'text')
    .action((dir: string, flags: { case?: string; format: string }) => {
      const result = verifyEvidence(dir, flags.case ? { caseId: flags.case } : {});
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const c of result.cases) process.stdout.write(`case ${c.caseId}: ${c.files} files, ${c.versions} committed versions\n`);
        for (const p of result.problems) {
          process.stdout.write(
            `${p.kind.toUpperCase()}  ${sanitizeForTerminal([p.caseId, p.path].filter(Boolean).join(': '))} — ${sanitizeForTerminal(p.detail)}\n`,
          );
        }
        process.stdout.write(
          result.problems.length
            ? `${result.problems.length} problems: the evidence does not verify\n`
            : 'verified: every file matches its manifest and the history is intact\n',
        );
      }
      if (result.problems.length) process.exitCode = EXIT_CODES.INTEGRITY;
    });
}
