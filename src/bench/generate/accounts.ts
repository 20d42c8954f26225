import { Rng, deriveSeed } from '../prng.js';

/**
 * The cast of one synthetic AWS account: who acts in it (users with long-term AKIA keys, roles
 * whose sessions carry ASIA keys, AWS services) and what they touch (instances, security groups,
 * buckets, keys). Built once per account from the seed so every stream of that account shares it.
 */
export interface User {
  name: string;
  principalId: string;
  accessKeyId: string;
  ip: string;
  userAgent: string;
}

export interface RoleSession {
  role: string;
  roleId: string;
  session: string;
  accessKeyId: string;
  /** Where its calls come from: an instance's private address, or a public NAT address. */
  ip: string;
  userAgent: string;
  /** EC2 instance-profile sessions are named after the instance and say how creds were delivered. */
  ec2Instance: boolean;
  mfa: boolean;
}

export interface Account {
  id: string;
  users: User[];
  sessions: RoleSession[];
  instances: string[];
  securityGroups: string[];
  buckets: string[];
  kmsKeys: string[];
  functions: string[];
  tables: string[];
}

export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1', 'us-east-2', 'ap-northeast-1', 'sa-east-1'] as const;

const CLI_AGENTS = [
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off',
  'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off',
  'Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0 os/linux#6.1.77 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.50',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 ua/2.0 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64',
];

const APP_AGENTS = [
  'aws-sdk-java/2.25.6 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  'aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.1',
  'aws-sdk-js/3.535.0 ua/2.0 os/linux#5.10.210 lang/js md/nodejs#20.11.1 api/dynamodb#3.535.0',
  'Boto3/1.34.50 md/Botocore#1.34.50 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.50',
];

const PEOPLE = ['alice', 'bob', 'carol', 'dmitri', 'erin', 'farah', 'gustavo', 'hiro', 'ines', 'jamal'];
const APP_ROLES = ['app-backend', 'etl-runner', 'ci-deployer', 'monitoring-agent', 'web-frontend'];
const BUCKET_STEMS = ['app-assets', 'data-lake-raw', 'terraform-state', 'access-logs', 'ml-artifacts', 'exports'];

/** Public addresses from ranges that look like office NATs, home ISPs and cloud egress. */
export function publicIp(rng: Rng): string {
  const first = rng.pick([3, 18, 34, 52, 63, 72, 81, 98, 108, 176, 185, 198]);
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export function privateIp(rng: Rng): string {
  return `10.${rng.int(0, 31)}.${rng.int(0, 255)}.${rng.int(4, 254)}`;
}

function accountId(rng: Rng): string {
  // Account ids appear inside ARNs and bucket names in requestParameters: keep "8443" out of them too.
  for (;;) {
    const id = String(rng.int(1, 9)) + rng.chars('0123456789', 11);
    if (!id.includes('8443')) return id;
  }
}

export function buildAccount(seed: number, index: number): Account {
  const rng = new Rng(deriveSeed(seed, 'account', index));
  const id = accountId(rng);
  const instances = Array.from({ length: 12 }, () => `i-0${rng.hex(16)}`);
  const users: User[] = PEOPLE.slice(0, 6).map((name) => ({
    name,
    principalId: `AIDA${rng.upper(17)}`,
    accessKeyId: `AKIA${rng.upper(16)}`,
    ip: publicIp(rng),
    userAgent: rng.pick(CLI_AGENTS),
  }));
  const sessions: RoleSession[] = [];
  for (const role of APP_ROLES) {
    const roleId = `AROA${rng.upper(17)}`;
    for (let s = 0; s < 2; s++) {
      const ec2Instance = role !== 'ci-deployer' && rng.chance(0.5);
      sessions.push({
        role,
        roleId,
        session: ec2Instance ? rng.pick(instances) : `${role}-${rng.hex(8)}`,
        accessKeyId: `ASIA${rng.upper(16)}`,
        ip: ec2Instance ? privateIp(rng) : publicIp(rng),
        userAgent: rng.pick(APP_AGENTS),
        ec2Instance,
        mfa: false,
      });
    }
  }
  // People signing in through IAM Identity Center land in an SSO role session named after them.
  const ssoRole = `AWSReservedSSO_AdministratorAccess_${rng.hex(16)}`;
  const ssoRoleId = `AROA${rng.upper(17)}`;
  for (const person of PEOPLE.slice(4, 9)) {
    sessions.push({
      role: ssoRole,
      roleId: ssoRoleId,
      session: `${person}@example.com`,
      accessKeyId: `ASIA${rng.upper(16)}`,
      ip: publicIp(rng),
      userAgent: rng.pick(CLI_AGENTS),
      ec2Instance: false,
      mfa: false,
    });
  }
  return {
    id,
    users,
    sessions,
    instances,
    securityGroups: Array.from({ length: 8 }, () => `sg-0${rng.hex(16)}`),
    buckets: BUCKET_STEMS.map((stem) => `${stem}-${id}`),
    kmsKeys: Array.from({ length: 4 }, () => rng.uuid()),
    functions: ['ingest-handler', 'thumbnailer', 'audit-forwarder', 'nightly-report'],
    tables: ['orders', 'sessions', 'feature-flags'],
  };
}
