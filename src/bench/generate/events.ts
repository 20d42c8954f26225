import { Weighted, type Rng } from '../prng.js';
import { publicIp } from './accounts.js';
import { assemble, awsDisplayTime, roleActor, rootActor, serviceActor, userActor, type Actor, type Call, type EventContext } from './record.js';

/**
 * The background of the corpus: the mix an organisation's trail is made of. Mostly read-only
 * Describe/List/Get calls by role sessions, S3 data events, service AssumeRole and KMS Decrypt,
 * a few console logins, a few percent of access-denied errors. None of it mentions 8443: the
 * planted events (planted.ts) are the only ones, so the classic query's hits are known exactly.
 */
type ActorKind = 'user' | 'role' | 'service' | 'root';

interface Entry {
  weight: number;
  /** IAM is a global service: its events are delivered with us-east-1. */
  usEast1Only?: boolean;
  actors: readonly (readonly [ActorKind, number])[];
  /** For service actors: which AWS service principal makes the call. */
  services?: readonly string[];
  build(ctx: EventContext, actor: Actor): Call;
  /** Error style for this service when the call is denied. */
  deny?: 'ec2' | 's3' | 'generic' | 'none';
}

const HUMAN: Entry['actors'] = [
  ['role', 70],
  ['user', 29.9],
  ['root', 0.1],
];
const APP: Entry['actors'] = [
  ['role', 85],
  ['user', 15],
];

const ec2Describe = (name: string, request: (ctx: EventContext) => Record<string, unknown> | null): Entry => ({
  weight: 0,
  actors: HUMAN,
  deny: 'ec2',
  build: (ctx) => ({ source: 'ec2.amazonaws.com', name, readOnly: true, request: request(ctx), response: null }),
});

function s3Object(ctx: EventContext, bucket: string): string {
  const d = new Date(ctx.time);
  const prefix = ctx.rng.pick(['exports', 'raw/events', 'models', 'reports/daily', 'uploads']);
  return `${prefix}/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/part-${ctx.rng.chars('0123456789', 5)}.${ctx.rng.pick(['parquet', 'json.gz', 'csv'])}`.concat(
    bucket.startsWith('ml-') ? '.bin' : '',
  );
}

function s3Data(name: 'GetObject' | 'PutObject'): Entry {
  return {
    weight: 0,
    actors: APP,
    deny: 's3',
    build: (ctx) => {
      const { rng, account } = ctx;
      const bucket = rng.pick(account.buckets);
      const key = s3Object(ctx, bucket);
      const host = `${bucket}.s3.${ctx.region}.amazonaws.com`;
      const size = rng.int(512, 40_000_000);
      return {
        source: 's3.amazonaws.com',
        name,
        readOnly: name === 'GetObject',
        category: 'Data',
        host,
        request: { bucketName: bucket, Host: host, key },
        response: name === 'PutObject' ? { 'x-amz-server-side-encryption': 'AES256' } : null,
        additional: {
          SignatureVersion: 'SigV4',
          CipherSuite: 'TLS_AES_128_GCM_SHA256',
          bytesTransferredIn: name === 'PutObject' ? size : 0,
          AuthenticationMethod: 'AuthHeader',
          'x-amz-id-2': rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 76),
          bytesTransferredOut: name === 'GetObject' ? size : 0,
        },
        resources: [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
          { accountId: account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
        ],
      };
    },
  };
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function assumeRoleCall(ctx: EventContext, sessionName: string): Call {
  const { rng, account } = ctx;
  const role = rng.pick(['app-backend', 'etl-runner', 'monitoring-agent', 'web-frontend']);
  const roleArn = `arn:aws:iam::${account.id}:role/${role}`;
  const roleId = `AROA${rng.upper(17)}`;
  return {
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    readOnly: true,
    sharedEventID: true,
    request: { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    response: {
      credentials: {
        accessKeyId: `ASIA${rng.upper(16)}`,
        sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars(TOKEN_ALPHABET, 360)}`,
        expiration: awsDisplayTime(ctx.time + 3_600_000),
      },
      assumedRoleUser: { assumedRoleId: `${roleId}:${sessionName}`, arn: `arn:aws:sts::${account.id}:assumed-role/${role}/${sessionName}` },
    },
    resources: [{ accountId: account.id, type: 'AWS::IAM::Role', ARN: roleArn }],
  };
}

function withWeights(entries: readonly (readonly [number, Entry])[]): Entry[] {
  return entries.map(([weight, entry]) => ({ ...entry, weight }));
}

const CATALOG: Entry[] = withWeights([
  [
    9,
    ec2Describe('DescribeInstances', (c) =>
      c.rng.chance(0.5)
        ? { instancesSet: { items: [{ instanceId: c.rng.pick(c.account.instances) }] }, filterSet: {} }
        : { maxResults: 1000, instancesSet: {}, filterSet: {} },
    ),
  ],
  [
    5,
    ec2Describe('DescribeSecurityGroups', (c) => ({
      securityGroupSet: {},
      securityGroupIdSet: { items: [{ groupId: c.rng.pick(c.account.securityGroups) }] },
      filterSet: {},
    })),
  ],
  [3, ec2Describe('DescribeVolumes', () => ({ volumeSet: {}, filterSet: {} }))],
  [2, ec2Describe('DescribeSubnets', () => ({ subnetSet: {}, filterSet: {} }))],
  [2, ec2Describe('DescribeVpcs', () => ({ vpcSet: {}, filterSet: {} }))],
  [
    2,
    ec2Describe('DescribeNetworkInterfaces', (c) => ({
      networkInterfaceIdSet: {},
      filterSet: { items: [{ name: 'attachment.instance-id', valueSet: { items: [{ value: c.rng.pick(c.account.instances) }] } }] },
    })),
  ],
  [1, ec2Describe('DescribeRegions', () => ({ regionSet: {}, allRegions: false }))],
  [2, ec2Describe('DescribeTags', () => ({ filterSet: { items: [{ name: 'resource-type', valueSet: { items: [{ value: 'instance' }] } }] } }))],
  [
    1,
    {
      weight: 0,
      actors: APP,
      deny: 'ec2',
      build: (c) => ({
        source: 'ec2.amazonaws.com',
        name: 'CreateTags',
        readOnly: false,
        request: {
          resourcesSet: { items: [{ resourceId: c.rng.pick(c.account.instances) }] },
          tagSet: { items: [{ key: 'Name', value: `web-${c.rng.int(1, 40)}` }] },
        },
        response: { requestId: c.rng.uuid(), _return: true },
      }),
    },
  ],
  [12, s3Data('GetObject')],
  [5, s3Data('PutObject')],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 's3',
      build: () => ({
        source: 's3.amazonaws.com',
        name: 'ListBuckets',
        readOnly: true,
        host: 's3.amazonaws.com',
        request: { Host: 's3.amazonaws.com' },
        response: null,
      }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 's3',
      build: (c) => {
        const bucket = c.rng.pick(c.account.buckets);
        return {
          source: 's3.amazonaws.com',
          name: 'GetBucketAcl',
          readOnly: true,
          request: { bucketName: bucket, Host: `${bucket}.s3.${c.region}.amazonaws.com`, acl: '' },
          response: null,
          resources: [{ accountId: c.account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
        };
      },
    },
  ],
  [
    9,
    {
      weight: 0,
      actors: [['service', 1]],
      deny: 'none',
      services: ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'],
      build: (c, actor) =>
        assumeRoleCall(
          c,
          actor.ip === 'ec2.amazonaws.com'
            ? c.rng.pick(c.account.instances)
            : actor.ip === 'lambda.amazonaws.com'
              ? `awslambda_${c.rng.chars('0123456789', 17)}`
              : c.rng.hex(32),
        ),
    },
  ],
  [1, { weight: 0, actors: [['user', 1]], deny: 'generic', build: (c, actor) => assumeRoleCall(c, `${String(actor.identity['userName'])}-cli`) }],
  [
    2,
    {
      weight: 0,
      actors: APP,
      deny: 'none',
      build: () => ({ source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, request: null, response: null }),
    },
  ],
  [
    8,
    {
      weight: 0,
      actors: [
        ['service', 6],
        ['role', 4],
      ],
      deny: 'generic',
      services: ['s3.amazonaws.com', 'lambda.amazonaws.com', 'secretsmanager.amazonaws.com'],
      build: (c) => {
        const key = c.rng.pick(c.account.kmsKeys);
        const fn = c.rng.pick(c.account.functions);
        return {
          source: 'kms.amazonaws.com',
          name: 'Decrypt',
          readOnly: true,
          request: {
            encryptionContext: { 'aws:lambda:FunctionArn': `arn:aws:lambda:${c.region}:${c.account.id}:function:${fn}` },
            encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          },
          response: null,
          resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${c.region}:${c.account.id}:key/${key}` }],
        };
      },
    },
  ],
  [
    3,
    {
      weight: 0,
      actors: [
        ['service', 7],
        ['role', 3],
      ],
      deny: 'generic',
      services: ['s3.amazonaws.com'],
      build: (c) => {
        const key = c.rng.pick(c.account.kmsKeys);
        const bucket = c.rng.pick(c.account.buckets);
        const keyArn = `arn:aws:kms:${c.region}:${c.account.id}:key/${key}`;
        return {
          source: 'kms.amazonaws.com',
          name: 'GenerateDataKey',
          readOnly: true,
          request: { keyId: keyArn, encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}` }, keySpec: 'AES_256' },
          response: null,
          resources: [{ accountId: c.account.id, type: 'AWS::KMS::Key', ARN: keyArn }],
        };
      },
    },
  ],
  [
    2,
    {
      weight: 0,
      usEast1Only: true,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({ source: 'iam.amazonaws.com', name: 'ListRoles', readOnly: true, request: null, response: null, host: 'iam.amazonaws.com' }),
    },
  ],
  [
    2,
    {
      weight: 0,
      usEast1Only: true,
      actors: HUMAN,
      deny: 'generic',
      build: (c) => ({
        source: 'iam.amazonaws.com',
        name: 'GetRole',
        readOnly: true,
        request: { roleName: c.rng.pick(['app-backend', 'etl-runner', 'ci-deployer']) },
        response: null,
        host: 'iam.amazonaws.com',
      }),
    },
  ],
  [
    1,
    {
      weight: 0,
      usEast1Only: true,
      actors: HUMAN,
      deny: 'generic',
      build: (c) => ({
        source: 'iam.amazonaws.com',
        name: 'ListAttachedRolePolicies',
        readOnly: true,
        request: { roleName: c.rng.pick(['app-backend', 'etl-runner', 'ci-deployer']) },
        response: null,
        host: 'iam.amazonaws.com',
      }),
    },
  ],
  [
    1,
    {
      weight: 0,
      usEast1Only: true,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({
        source: 'iam.amazonaws.com',
        name: 'GetAccountPasswordPolicy',
        readOnly: true,
        request: null,
        response: null,
        host: 'iam.amazonaws.com',
      }),
    },
  ],
  [
    3,
    {
      weight: 0,
      actors: [['role', 1]],
      deny: 'generic',
      build: (c) => {
        const d = new Date(c.time);
        const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
        return {
          source: 'logs.amazonaws.com',
          name: 'CreateLogStream',
          readOnly: false,
          request: { logGroupName: `/aws/lambda/${c.rng.pick(c.account.functions)}`, logStreamName: `${day}/[$LATEST]${c.rng.hex(32)}` },
          response: null,
        };
      },
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({ source: 'logs.amazonaws.com', name: 'DescribeLogGroups', readOnly: true, request: { limit: 50 }, response: null }),
    },
  ],
  [
    2,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({ source: 'lambda.amazonaws.com', name: 'ListFunctions20150331', readOnly: true, request: null, response: null }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: (c) => ({
        source: 'lambda.amazonaws.com',
        name: 'GetFunction20150331v2',
        readOnly: true,
        request: { functionName: c.rng.pick(c.account.functions) },
        response: null,
      }),
    },
  ],
  [
    2,
    {
      weight: 0,
      actors: APP,
      deny: 'generic',
      build: (c) => ({
        source: 'ssm.amazonaws.com',
        name: 'GetParameter',
        readOnly: true,
        request: { name: c.rng.pick(['/prod/app/db-password', '/prod/app/api-url', '/shared/datadog-key']), withDecryption: true },
        response: null,
      }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: APP,
      deny: 'generic',
      build: () => ({ source: 'ssm.amazonaws.com', name: 'DescribeInstanceInformation', readOnly: true, request: { maxResults: 50 }, response: null }),
    },
  ],
  [
    2,
    {
      weight: 0,
      actors: APP,
      deny: 'generic',
      build: (c) => {
        const table = c.rng.pick(c.account.tables);
        return {
          source: 'dynamodb.amazonaws.com',
          name: 'DescribeTable',
          readOnly: true,
          apiVersion: '2012-08-10',
          request: { tableName: table },
          response: null,
          resources: [{ accountId: c.account.id, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:${c.region}:${c.account.id}:table/${table}` }],
        };
      },
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({
        source: 'elasticloadbalancing.amazonaws.com',
        name: 'DescribeLoadBalancers',
        readOnly: true,
        apiVersion: '2015-12-01',
        request: null,
        response: null,
      }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: APP,
      deny: 'generic',
      build: (c) => ({
        source: 'elasticloadbalancing.amazonaws.com',
        name: 'DescribeTargetHealth',
        readOnly: true,
        apiVersion: '2015-12-01',
        request: { targetGroupArn: `arn:aws:elasticloadbalancing:${c.region}:${c.account.id}:targetgroup/web/${c.rng.hex(16)}` },
        response: null,
      }),
    },
  ],
  [
    2,
    {
      weight: 0,
      actors: APP,
      deny: 'generic',
      build: () => ({ source: 'monitoring.amazonaws.com', name: 'DescribeAlarms', readOnly: true, request: { maxRecords: 100 }, response: null }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({ source: 'cloudtrail.amazonaws.com', name: 'DescribeTrails', readOnly: true, request: { includeShadowTrails: false }, response: null }),
    },
  ],
  [
    1,
    {
      weight: 0,
      actors: HUMAN,
      deny: 'generic',
      build: () => ({ source: 'guardduty.amazonaws.com', name: 'ListDetectors', readOnly: true, request: { maxResults: 50 }, response: null }),
    },
  ],
  [
    0.8,
    {
      weight: 0,
      actors: [
        ['user', 95],
        ['root', 5],
      ],
      deny: 'none',
      build: (c, actor) => {
        const failed = c.rng.chance(0.08);
        const mfa = c.rng.chance(0.7);
        return {
          source: 'signin.amazonaws.com',
          name: 'ConsoleLogin',
          readOnly: false,
          eventType: 'AwsConsoleSignIn',
          host: 'signin.aws.amazon.com',
          ...(failed ? { errorMessage: 'Failed authentication' } : {}),
          request: null,
          response: { ConsoleLogin: failed ? 'Failure' : 'Success' },
          additional: {
            LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_' + c.rng.hex(16),
            MobileVersion: 'No',
            ...(mfa ? { MFAIdentifier: `${actor.arn.replace(':user/', ':mfa/')}-phone`, MFAUsed: 'Yes' } : { MFAUsed: 'No' }),
          },
        };
      },
    },
  ],
]);

interface Prepared {
  entries: Weighted<Entry>;
  actorTables: Map<Entry, Weighted<ActorKind>>;
}

const preparedByRegion = new Map<boolean, Prepared>();

function prepared(usEast1: boolean): Prepared {
  let p = preparedByRegion.get(usEast1);
  if (!p) {
    const entries = CATALOG.filter((e) => usEast1 || !e.usEast1Only);
    p = { entries: new Weighted(entries.map((e) => [e, e.weight] as const)), actorTables: new Map(entries.map((e) => [e, new Weighted(e.actors)])) };
    preparedByRegion.set(usEast1, p);
  }
  return p;
}

function pickActor(ctx: EventContext, entry: Entry, kind: ActorKind): Actor {
  const { rng, account } = ctx;
  switch (kind) {
    case 'user':
      return userActor(ctx, rng.pick(account.users));
    case 'role':
      return roleActor(ctx, rng.pick(account.sessions));
    case 'service':
      return serviceActor(rng.pick(entry.services ?? ['lambda.amazonaws.com']));
    case 'root':
      return rootActor(ctx, publicIp(rng));
  }
}

const ERROR_RATE = 0.04;

function denied(rng: Rng, call: Call, actor: Actor, style: Entry['deny']): Call {
  if (style === 'none' || !rng.chance(ERROR_RATE)) return call;
  const service = call.source.replace('.amazonaws.com', '');
  if (style === 's3') return { ...call, errorCode: 'AccessDenied', errorMessage: 'Access Denied', response: null };
  if (style === 'ec2')
    return { ...call, errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.', response: null };
  return {
    ...call,
    errorCode: service === 'kms' ? 'AccessDeniedException' : 'AccessDenied',
    errorMessage: `User: ${actor.arn} is not authorized to perform: ${service}:${call.name} because no identity-based policy allows the ${service}:${call.name} action`,
    response: null,
  };
}

/** One ordinary event for this account, region and time. */
export function backgroundEvent(ctx: EventContext): Record<string, unknown> {
  const p = prepared(ctx.region === 'us-east-1');
  const entry = p.entries.pick(ctx.rng);
  const kind = (p.actorTables.get(entry) as Weighted<ActorKind>).pick(ctx.rng);
  const actor = pickActor(ctx, entry, kind);
  const call = denied(ctx.rng, entry.build(ctx, actor), actor, entry.deny);
  return assemble(ctx, actor, call);
}
