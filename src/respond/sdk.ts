import {
  CreateSnapshotsCommand,
  DeleteNetworkAclEntryCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeVolumesCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { z } from 'zod';
import { type AwsExecutor, type CallOutcome, errorRecord, type SdkCall } from './apply.js';
import { SHAPES } from './shell.js';

/**
 * The real executor of `respond apply`: the plan's (client, command) pairs mapped to AWS SDK v3
 * classes by an explicit table (never by importing a name read from the file), each input
 * checked against the shape that command takes before it is sent. Credentials come from the
 * SDK's standard chain (`profile` selects a profile of ~/.aws/config and credentials, as
 * AWS_PROFILE does); the endpoint is the SDK's own, which honours AWS_ENDPOINT_URL (and
 * AWS_ENDPOINT_URL_EC2 / _IAM), the way tests reach moto_server.
 */
type ClientName = 'EC2Client' | 'IAMClient';

interface Sendable {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

interface Entry {
  client: ClientName;
  input: z.ZodType;
  make: (input: never) => unknown;
}

const id = (shape: keyof typeof SHAPES) => z.string().regex(SHAPES[shape]);
const filter = (name: string, shape: keyof typeof SHAPES) => z.tuple([z.strictObject({ Name: z.literal(name), Values: z.tuple([id(shape)]) })]);
const permission = z.strictObject({
  IpProtocol: id('ip-protocol'),
  FromPort: z.number().int().min(-1).max(65535).optional(),
  ToPort: z.number().int().min(-1).max(65535).optional(),
  IpRanges: z.array(z.strictObject({ CidrIp: id('ipv4-cidr') })).optional(),
  Ipv6Ranges: z.array(z.strictObject({ CidrIpv6: id('ipv6-cidr') })).optional(),
  PrefixListIds: z.array(z.strictObject({ PrefixListId: id('prefix-list-id') })).optional(),
  UserIdGroupPairs: z.array(z.strictObject({ GroupId: id('security-group-id'), UserId: id('account-id').optional() })).optional(),
});
const revoke = z.union([
  z.strictObject({ GroupId: id('security-group-id'), SecurityGroupRuleIds: z.array(id('security-group-rule-id')).min(1) }),
  z.strictObject({ GroupId: id('security-group-id'), IpPermissions: z.array(permission).min(1) }),
]);
const iamName = id('iam-name');
const policy = z.strictObject({ PolicyName: iamName, PolicyDocument: z.string().min(1).max(10240) });

/** Every command `respond apply` may send, and the input it accepts. Undo calls are not here: apply never runs them. */
const COMMANDS: Record<string, Entry> = {
  RevokeSecurityGroupIngressCommand: { client: 'EC2Client', input: revoke, make: (i) => new RevokeSecurityGroupIngressCommand(i) },
  RevokeSecurityGroupEgressCommand: { client: 'EC2Client', input: revoke, make: (i) => new RevokeSecurityGroupEgressCommand(i) },
  DescribeSecurityGroupRulesCommand: {
    client: 'EC2Client',
    input: z.strictObject({ Filters: filter('group-id', 'security-group-id') }),
    make: (i) => new DescribeSecurityGroupRulesCommand(i),
  },
  DeleteNetworkAclEntryCommand: {
    client: 'EC2Client',
    input: z.strictObject({ NetworkAclId: id('network-acl-id'), RuleNumber: z.number().int().min(1).max(32766), Egress: z.boolean() }),
    make: (i) => new DeleteNetworkAclEntryCommand(i),
  },
  DescribeNetworkAclsCommand: {
    client: 'EC2Client',
    input: z.strictObject({ NetworkAclIds: z.tuple([id('network-acl-id')]) }),
    make: (i) => new DescribeNetworkAclsCommand(i),
  },
  ModifyInstanceAttributeCommand: {
    client: 'EC2Client',
    input: z.strictObject({ InstanceId: id('instance-id'), Groups: z.array(id('security-group-id')).min(1) }),
    make: (i) => new ModifyInstanceAttributeCommand(i),
  },
  DescribeInstancesCommand: {
    client: 'EC2Client',
    input: z.strictObject({ InstanceIds: z.tuple([id('instance-id')]) }),
    make: (i) => new DescribeInstancesCommand(i),
  },
  CreateSnapshotsCommand: {
    client: 'EC2Client',
    input: z.strictObject({
      InstanceSpecification: z.strictObject({ InstanceId: id('instance-id') }),
      Description: z.string().max(255),
      CopyTagsFromSource: z.literal('volume'),
    }),
    make: (i) => new CreateSnapshotsCommand(i),
  },
  DescribeVolumesCommand: {
    client: 'EC2Client',
    input: z.strictObject({ Filters: filter('attachment.instance-id', 'instance-id') }),
    make: (i) => new DescribeVolumesCommand(i),
  },
  UpdateAccessKeyCommand: {
    client: 'IAMClient',
    input: z.strictObject({ AccessKeyId: id('access-key-id'), Status: z.enum(['Inactive', 'Active']), UserName: iamName }),
    make: (i) => new UpdateAccessKeyCommand(i),
  },
  ListAccessKeysCommand: { client: 'IAMClient', input: z.strictObject({ UserName: iamName }), make: (i) => new ListAccessKeysCommand(i) },
  PutRolePolicyCommand: { client: 'IAMClient', input: policy.extend({ RoleName: iamName }), make: (i) => new PutRolePolicyCommand(i) },
  PutUserPolicyCommand: { client: 'IAMClient', input: policy.extend({ UserName: iamName }), make: (i) => new PutUserPolicyCommand(i) },
  ListRolePoliciesCommand: { client: 'IAMClient', input: z.strictObject({ RoleName: iamName }), make: (i) => new ListRolePoliciesCommand(i) },
  ListUserPoliciesCommand: { client: 'IAMClient', input: z.strictObject({ UserName: iamName }), make: (i) => new ListUserPoliciesCommand(i) },
};

const CLIENTS: Record<ClientName, (config: { region: string; profile?: string }) => Sendable> = {
  EC2Client: (config) => new EC2Client(config),
  IAMClient: (config) => new IAMClient(config),
};

export interface SdkExecutorOptions {
  /** `--profile`: a named profile of the shared config and credentials files. */
  profile?: string;
}

export class SdkExecutor implements AwsExecutor {
  private readonly clients = new Map<string, Sendable>();

  constructor(private readonly options: SdkExecutorOptions = {}) {}

  refusal(call: SdkCall): string | null {
    if (!(call.client in CLIENTS)) return `${call.client} is not installed with trailbook`;
    const entry = Object.hasOwn(COMMANDS, call.command) ? COMMANDS[call.command] : undefined;
    if (!entry) return `${call.client} ${call.command} is not a call apply makes`;
    if (entry.client !== call.client) return `${call.command} is not a command of ${call.client}`;
    const parsed = entry.input.safeParse(call.input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `the input of ${call.command} is not of its shape (at ${issue?.path.join('.') || 'the top'}: ${issue?.message ?? 'invalid'})`;
    }
    return null;
  }

  async send(call: SdkCall, region: string, options: { dryRun: boolean }): Promise<CallOutcome> {
    const refused = this.refusal(call);
    if (refused) return { ok: false, requestId: null, error: errorRecord('NotExecutableByApply', refused) };
    const entry = COMMANDS[call.command]!;
    const input = options.dryRun ? { ...call.input, DryRun: true } : call.input;
    try {
      const output = (await this.client(entry.client, region).send(entry.make(input as never))) as Record<string, unknown>;
      const { $metadata, ...rest } = output;
      return { ok: true, requestId: requestIdOf($metadata), output: rest };
    } catch (error) {
      const e = error as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: unknown };
      return { ok: false, requestId: requestIdOf(e.$metadata), error: errorRecord(e.Code ?? e.name ?? e.code, e.message) };
    }
  }

  private client(name: ClientName, region: string): Sendable {
    const key = `${name} ${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = CLIENTS[name]({ region, ...(this.options.profile === undefined ? {} : { profile: this.options.profile }) });
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

function requestIdOf(metadata: unknown): string | null {
  const requestId = (metadata as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' && /^[A-Za-z0-9-]{1,128}$/.test(requestId) ? requestId : null;
}
