import type { Command } from 'commander';

/**
 * The "Examples:" section of every command's `--help`, by command path. Each runs from a clone's
 * root on the bundled sample (after `npm run demo`, which fills the default store); a test
 * checks that every command has examples and that each names a real command.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'trailbook investigate sample/cloudtrail sample/vpcflow --to 2024-05-15T00:00:00Z',
    'trailbook run port-exposure --param port=8443 --format md',
    'trailbook sql "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1"',
  ],
  investigate: [
    'trailbook investigate sample/cloudtrail sample/vpcflow --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml',
    'trailbook investigate --since 30d --format html --out report.html',
    'trailbook investigate --port 22 --protocol tcp --fail-on escalate --quiet',
  ],
  run: [
    'trailbook run port-exposure sample/cloudtrail sample/vpcflow --param port=8443',
    'trailbook run port-exposure --param port=3389 --param from=now-7d --format json',
    'trailbook run ./runbooks/my-runbook --format md --out report.md',
  ],
  serve: [
    'trailbook serve --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml',
    'trailbook serve --db case.duckdb --port 0 --no-open --runbooks ./team-runbooks',
  ],
  watch: [
    'TRAILBOOK_WEBHOOK_SECRET=… trailbook watch ./AWSLogs --webhook https://hooks.example.com/trailbook --interval 60s',
    'trailbook watch ./AWSLogs --once --webhook https://hooks.example.com/trailbook --report-dir reports   # from cron',
    'trailbook watch sample/cloudtrail sample/vpcflow --once --webhook http://127.0.0.1:8080/ --param to=2024-05-15T00:00:00Z',
    'trailbook watch s3://my-trail-bucket/AWSLogs/ --alerts alerts.yaml --since 2d --profile ir   # docs/alerts.md, docs/s3.md',
  ],
  respond: [
    'trailbook respond plan exposure:dbe90ba0 --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml --param to=2024-05-15T00:00:00Z',
  ],
  'respond plan': [
    'trailbook respond plan exposure:dbe90ba0 --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml --param to=2024-05-15T00:00:00Z',
    'trailbook respond plan credential:6bbe7ac0 --runbook credential-compromise --format json --intel sample/intel/threat-feed.txt',
    'trailbook respond plan exposure:dbe90ba0 --quarantine-sg sg-0123456789abcdef0 --format json > plan.json',
  ],
  'respond apply': [
    'trailbook respond apply plan.json',
    'trailbook respond apply plan.json --yes --profile incident-response --out result.json',
    'trailbook respond apply plan.json --yes --evidence .trailbook/evidence --format json',
  ],
  ingest: [
    'trailbook ingest sample/cloudtrail sample/vpcflow',
    'trailbook ingest ./AWSLogs --from 2024-05-01 --to 2024-05-15 --region us-east-1 --strict',
    'trailbook ingest s3://my-trail-bucket/AWSLogs/ --from 2024-05-14 --to 2024-05-15 --profile ir   # docs/s3.md',
  ],
  exposures: ['trailbook exposures --port 8443 --windows', 'trailbook exposures --since 7d --format csv', 'trailbook exposures --unmodelled'],
  flows: ['trailbook flows --port 8443 --vpc-cidr 10.0.0.0/16', 'trailbook flows --port 8443 --overlay --since 30d'],
  intel: ['trailbook intel check 198.51.100.23 --intel sample/intel/threat-feed.txt', 'trailbook intel update ip-ranges.json'],
  'intel check': [
    'trailbook intel check 198.51.100.23 ec2.amazonaws.com --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml',
    'trailbook intel check 52.95.128.179 --format json',
  ],
  'intel update': [
    'curl -sSfO https://ip-ranges.amazonaws.com/ip-ranges.json && trailbook intel update ip-ranges.json',
    'trailbook intel update ip-ranges.json --db cases/2024-05/trailbook.duckdb',
  ],
  'intel stats': ['trailbook intel stats --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml'],
  runbook: ['trailbook runbook list', 'trailbook runbook test runbooks/port-exposure'],
  'runbook list': ['trailbook runbook list', 'trailbook runbook list --format json'],
  'runbook new': ['trailbook runbook new runbooks/my-runbook', 'trailbook runbook new ./team-runbooks/s3-exfil --id s3-exfil'],
  'runbook lint': ['trailbook runbook lint runbooks/port-exposure'],
  'runbook plan': ['trailbook runbook plan runbooks/port-exposure --param port=3389'],
  'runbook test': ['trailbook runbook test runbooks/port-exposure', 'trailbook runbook test runbooks/port-exposure --case isolate-attacker-came-through'],
  sql: [
    'trailbook sql "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1 ORDER BY n DESC"',
    'trailbook sql --file sample/classic-8443.sql --format csv',
    'trailbook sql "SHOW TABLES"',
  ],
  athena: ['trailbook athena ddl --location s3://my-trail-bucket --account 111122223333 --region us-east-1'],
  'athena ddl': [
    'trailbook athena ddl --location s3://my-trail-bucket --account 111122223333 --region us-east-1,eu-west-1 --since 2024/01/01',
    'trailbook athena ddl --location s3://org-logs/o-abc --account 111122223333,444455556666 --database security',
  ],
  'lint-query': [
    'trailbook lint-query --file sample/classic-8443.sql',
    `trailbook lint-query "SELECT * FROM cloudtrail_logs WHERE requestparameters LIKE '%8443%'"`,
  ],
  evidence: ['trailbook evidence commit --repo .trailbook/evidence --to 2024-05-15T00:00:00Z', 'trailbook evidence verify .trailbook/evidence'],
  'evidence commit': [
    'trailbook evidence commit --repo .trailbook/evidence --intel sample/intel/threat-feed.txt --trusted sample/trusted-networks.yaml --to 2024-05-15T00:00:00Z',
  ],
  'evidence verify': ['trailbook evidence verify .trailbook/evidence', 'trailbook evidence verify .trailbook/evidence --format json'],
  'validate-logs': ['trailbook validate-logs ./AWSLogs --public-keys keys.json   # keys.json: aws cloudtrail list-public-keys > keys.json'],
  init: ['trailbook init', 'mkdir -p case-2024-05 && trailbook init case-2024-05'],
  completion: ['eval "$(trailbook completion bash)"      # in ~/.bashrc', 'trailbook completion fish > ~/.config/fish/completions/trailbook.fish'],
};

/** Adds each command's examples after its help (commander's addHelpText), from the program down. */
export function addExamples(program: Command): void {
  const visit = (command: Command, path: string): void => {
    const examples = EXAMPLES[path];
    if (examples?.length) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
    for (const sub of command.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
}
