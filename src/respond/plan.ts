import type { Finding } from '../report/contract.js';
import type { ExposureChange } from '../ports/change.js';
import { hasShape, shellCommand, type Shape } from './shell.js';

/**
 * The containment plan for one finding (issue 16 item 3; docs/respond.md): what to change in AWS,
 * as AWS CLI commands, as AWS SDK v3 calls for a later `respond apply`, and how to undo each step.
 * Pure: the finding and the exposure changes its events made in, a plan out. Nothing is executed.
 *
 * Every value in a command comes from logs an attacker can write into, so each must have the
 * shape AWS gives it (shell.ts) or it is refused: named in `refused` by what it was and where it
 * came from, never printed.
 */
export const PLAN_SCHEMA = 'trailbook.respond-plan/v1';

export const STEP_ACTIONS = [
  'revoke-ingress-rule',
  'revoke-egress-rule',
  'remove-nacl-entry',
  'delete-listener',
  'deactivate-access-key',
  'revoke-sessions',
  'quarantine-instance',
  'snapshot-volumes',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** One AWS call: the CLI argument vector, the same as one shell-quoted line, and the SDK v3 call. */
export interface AwsCall {
  argv: string[];
  command: string;
  sdk: { client: 'EC2Client' | 'IAMClient' | 'ElasticLoadBalancingV2Client'; command: string; input: Record<string, unknown> };
}

export interface PlanStep {
  action: StepAction;
  /** The rule, key, role or instance the step changes. */
  target: string;
  account: string | null;
  region: string;
  /** What the step changes, in words. */
  changes: string;
  call: AwsCall;
  /** Read-only calls to run first: what the step will change, as it is now. */
  before: AwsCall[];
  /** The call that undoes the step (null when it cannot be one exact call: `restores` says how), and what it restores. */
  undo: { call: AwsCall | null; restores: string };
  /** The evidence the step rests on: `source_ref`s of the report's rows (CloudTrail event ids). */
  basis: string[];
  /** For a revoke: the later call that already closed the rule, as the logs show it. */
  closedBy?: { eventId: string | null; eventName: string | null; at: string | null };
  notes: string[];
}

/** A value the plan would have needed and refused, for its shape; the value itself is never shown. */
export interface Refusal {
  field: string;
  sourceRef: string | null;
  reason: string;
}

export interface ResponsePlan {
  schema: typeof PLAN_SCHEMA;
  finding: { id: string; kind: string; title: string; action: Finding['decision']['action'] };
  /** The account the steps change (run them with its credentials); null when the evidence names none or several. */
  account: string | null;
  /** Always false: a plan is only printed (docs/respond.md). */
  executed: false;
  /** Why the plan is what it is: the decision, and why it is empty when it is. */
  summary: string;
  steps: PlanStep[];
  refused: Refusal[];
  notes: string[];
}

/** An exposure change one of the finding's events made, and the later change that closed it (null: still open). */
export interface OpenedRule {
  opened: ExposureChange;
  closed: ExposureChange | null;
}

export interface PlanInput {
  finding: Finding;
  /** The `open` changes of the finding's CloudTrail events (its `eventIds`), read from the store by id. */
  rules: readonly OpenedRule[];
  /** `--quarantine-sg`: the group an instance is moved to; no quarantine step without it. */
  quarantineGroup?: string;
  /** When the plan is made (ISO-8601 UTC): revoke-sessions denies sessions issued before it. */
  now: string;
}

/** The inline policy AWS's "revoke active sessions" writes; the same name, so the console shows it as such. */
export const REVOKE_SESSIONS_POLICY = 'AWSRevokeOlderSessions';

/** Signals that say the caller behind a non-credential finding is itself suspect (the bundled runbooks' names). */
const CALLER_SIGNALS = ['callerCompromised', 'callerHostile', 'callerSuspicious'] as const;

export function planResponse(input: PlanInput): ResponsePlan {
  const { finding } = input;
  const builder = new PlanBuilder(finding);
  const action = finding.decision.action;
  const head = { schema: PLAN_SCHEMA, finding: { id: finding.id, kind: finding.kind, title: finding.title, action }, executed: false } as const;
  if (action === 'false-positive' || action === 'ticket') {
    const why = finding.decision.reasons[0] ?? finding.decision.path.join(' → ');
    const summary =
      action === 'ticket'
        ? `no containment for a ticket: the decision asks for a review, not a change (${why})`
        : `no containment for a false positive: nothing to contain (${why})`;
    return { ...head, account: builder.account, summary, steps: [], refused: [], notes: [] };
  }
  for (const rule of input.rules) builder.revoke(rule);
  builder.credentials(input.now);
  builder.instances(input.quarantineGroup);
  const steps = builder.steps;
  const decided = action === 'isolate' ? 'isolate: contain now' : 'escalate: a human decides; these are the steps if they decide to contain';
  const summary = steps.length
    ? `${decided} (${steps.length} step${steps.length === 1 ? '' : 's'}; nothing is executed)`
    : `${decided}, but no step could be planned from the evidence${builder.refused.length ? ' (values refused: see refused)' : ''}`;
  return { ...head, account: builder.account, summary, steps, refused: builder.refused, notes: builder.notes };
}

class PlanBuilder {
  readonly steps: PlanStep[] = [];
  readonly refused: Refusal[] = [];
  readonly notes: string[] = [];
  readonly account: string | null;
  /** The region of the finding's CloudTrail rows when there is one (flow rows carry none). */
  private readonly region: string | null;

  constructor(private readonly finding: Finding) {
    this.account = this.single('account_id', 'account-id');
    this.region = this.single('region', 'region');
  }

  /** The one well-shaped value of an evidence column, or null (none, several, or refused). */
  private single(column: 'account_id' | 'region', shape: Shape): string | null {
    const values = new Set<string>();
    for (const row of this.finding.evidence) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      if (hasShape(value, shape)) values.add(value);
      else this.refuse(`evidence ${column}`, row.source_ref, shape);
    }
    if (values.size > 1)
      this.notes.push(`the evidence names ${values.size} different ${column === 'region' ? 'regions' : 'accounts'}: each step names its own`);
    return values.size === 1 ? [...values][0]! : null;
  }

  private refuse(field: string, sourceRef: string | null, shape: Shape | string, why?: string): void {
    const reason = why ?? `not of the shape of ${shape}`;
    if (!this.refused.some((r) => r.field === field && r.sourceRef === sourceRef && r.reason === reason)) this.refused.push({ field, sourceRef, reason });
  }

  /** Each value checked against its shape; undefined (and every failure refused) when one fails. */
  private checked(sourceRef: string | null, values: Record<string, [unknown, Shape]>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    let ok = true;
    for (const [field, [value, shape]] of Object.entries(values)) {
      if (hasShape(value, shape)) out[field] = value;
      else {
        this.refuse(field, sourceRef, shape, value === null || value === undefined ? `unknown (the evidence does not carry a ${shape})` : undefined);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  revoke(rule: OpenedRule): void {
    const change = rule.opened;
    const ref = change.eventId;
    const closedBy = rule.closed ? { eventId: rule.closed.eventId, eventName: rule.closed.eventName, at: rule.closed.eventTime } : undefined;
    const closedNote = rule.closed
      ? [
          `already closed at ${rule.closed.eventTime ?? 'an unknown time'} by ${rule.closed.eventName ?? 'a later call'} (${rule.closed.eventId ?? 'no event id'}): run the check first; the revoke fails with a NotFound error when the rule is gone`,
        ]
      : [];
    const base = {
      account: hasShape(change.accountId, 'account-id') ? change.accountId : this.account,
      basis: ref ? [ref] : [],
      ...(closedBy ? { closedBy } : {}),
    };
    switch (change.resourceType) {
      case 'security-group': {
        const v = this.checked(ref, { region: [change.region, 'region'], groupId: [change.resource, 'security-group-id'] });
        if (!v) return;
        const permission = this.permission(change);
        const ruleId = hasShape(change.ruleKey, 'security-group-rule-id') ? change.ruleKey : null;
        if (change.ruleKey !== null && ruleId === null) this.refuse('securityGroupRuleId', ref, 'security-group-rule-id');
        if (!ruleId && !permission) return;
        const egress = change.direction === 'egress';
        const verb = egress ? 'egress' : 'ingress';
        const sdkVerb = egress ? 'Egress' : 'Ingress';
        const by = ruleId ? ['--security-group-rule-ids', ruleId] : ['--ip-permissions', JSON.stringify([permission])];
        const sdkBy = ruleId ? { SecurityGroupRuleIds: [ruleId] } : { IpPermissions: [permission] };
        const ruleText = describeRule(change);
        const undo = permission
          ? {
              call: call(
                ['ec2', `authorize-security-group-${verb}`, '--region', v.region!, '--group-id', v.groupId!, '--ip-permissions', JSON.stringify([permission])],
                'EC2Client',
                `AuthorizeSecurityGroup${sdkVerb}Command`,
                { GroupId: v.groupId, IpPermissions: [permission] },
              ),
              restores: `the ${verb} rule ${ruleText} on ${v.groupId} (under a new rule id; its description is not restored)`,
            }
          : { call: null, restores: `the rule's content is not in the event: re-create it from the describe output saved before the revoke` };
        const notes = [...closedNote];
        if (change.eventName === 'ModifySecurityGroupRules')
          notes.push('the rule was rewritten by ModifySecurityGroupRules: revoking removes it; what it allowed before the rewrite is not in the event');
        this.steps.push({
          action: egress ? 'revoke-egress-rule' : 'revoke-ingress-rule',
          target: ruleId ? `${v.groupId} ${ruleId}` : `${v.groupId} ${ruleText}`,
          region: v.region!,
          ...base,
          changes: `removes the ${verb} rule ${ruleId ? `${ruleId} (${ruleText})` : ruleText} from ${v.groupId}, the rule ${change.eventName ?? 'the call'} opened; the group's other rules stay`,
          call: call(
            ['ec2', `revoke-security-group-${verb}`, '--region', v.region!, '--group-id', v.groupId!, ...by],
            'EC2Client',
            `RevokeSecurityGroup${sdkVerb}Command`,
            {
              GroupId: v.groupId,
              ...sdkBy,
            },
          ),
          before: [
            call(
              ['ec2', 'describe-security-group-rules', '--region', v.region!, '--filters', `Name=group-id,Values=${v.groupId}`],
              'EC2Client',
              'DescribeSecurityGroupRulesCommand',
              {
                Filters: [{ Name: 'group-id', Values: [v.groupId] }],
              },
            ),
          ],
          undo,
          notes,
        });
        return;
      }
      case 'network-acl': {
        const slot = /^(ingress|egress)#(\d{1,5})$/.exec(change.ruleKey ?? '');
        const v = this.checked(ref, {
          region: [change.region, 'region'],
          aclId: [change.resource, 'network-acl-id'],
          ruleNumber: [slot?.[2], 'nacl-rule-number'],
        });
        if (!v || !slot) return;
        const egress = slot[1] === 'egress';
        const flag = egress ? '--egress' : '--ingress';
        const ruleNumber = Number(v.ruleNumber);
        const entry = this.aclEntry(change);
        this.steps.push({
          action: 'remove-nacl-entry',
          target: `${v.aclId} ${slot[1]} #${ruleNumber}`,
          region: v.region!,
          ...base,
          changes: `deletes ${slot[1]} entry #${ruleNumber} (${describeRule(change)}) of network ACL ${v.aclId}; traffic it allowed falls to the next entry, else the default deny`,
          call: call(
            ['ec2', 'delete-network-acl-entry', '--region', v.region!, '--network-acl-id', v.aclId!, '--rule-number', String(ruleNumber), flag],
            'EC2Client',
            'DeleteNetworkAclEntryCommand',
            { NetworkAclId: v.aclId, RuleNumber: ruleNumber, Egress: egress },
          ),
          before: [
            call(['ec2', 'describe-network-acls', '--region', v.region!, '--network-acl-ids', v.aclId!], 'EC2Client', 'DescribeNetworkAclsCommand', {
              NetworkAclIds: [v.aclId],
            }),
          ],
          undo: entry
            ? {
                call: call(
                  [
                    'ec2',
                    'create-network-acl-entry',
                    '--region',
                    v.region!,
                    '--network-acl-id',
                    v.aclId!,
                    '--rule-number',
                    String(ruleNumber),
                    flag,
                    ...entry.argv,
                  ],
                  'EC2Client',
                  'CreateNetworkAclEntryCommand',
                  { NetworkAclId: v.aclId, RuleNumber: ruleNumber, Egress: egress, ...entry.sdk },
                ),
                restores: `entry #${ruleNumber} as it was created (${describeRule(change)}, allow)`,
              }
            : { call: null, restores: `the entry's content is not fully in the event: re-create it from the describe output saved before` },
          notes:
            change.eventName === 'ReplaceNetworkAclEntry'
              ? [
                  ...closedNote,
                  'the entry was rewritten by ReplaceNetworkAclEntry: the undo restores the rewritten entry; what it held before is not in the event',
                ]
              : closedNote,
        });
        return;
      }
      case 'elbv2-listener': {
        const v = this.checked(ref, { region: [change.region, 'region'], listenerArn: [change.resource, 'elbv2-listener-arn'] });
        if (!v) return;
        this.steps.push({
          action: 'delete-listener',
          target: v.listenerArn!,
          region: v.region!,
          ...base,
          changes: `deletes the listener ${v.listenerArn} (its port stops accepting connections on that load balancer); its rules go with it`,
          call: call(
            ['elbv2', 'delete-listener', '--region', v.region!, '--listener-arn', v.listenerArn!],
            'ElasticLoadBalancingV2Client',
            'DeleteListenerCommand',
            {
              ListenerArn: v.listenerArn,
            },
          ),
          before: [
            call(
              ['elbv2', 'describe-listeners', '--region', v.region!, '--listener-arns', v.listenerArn!],
              'ElasticLoadBalancingV2Client',
              'DescribeListenersCommand',
              {
                ListenerArns: [v.listenerArn],
              },
            ),
          ],
          undo: {
            call: null,
            restores: `the listener: re-create it (aws elbv2 create-listener) from the describe output saved before, or from the request of ${ref ?? 'the call that created it'}; it gets a new ARN`,
          },
          notes: closedNote,
        });
        return;
      }
      default:
        this.notes.push(`no step planned for ${change.resourceType} changes (${change.eventName ?? 'a call'}, ${ref ?? 'no event id'}): contain it by hand`);
    }
  }

  /** The EC2 IpPermission of a security-group change, or undefined (refused) when a part has not the shape. */
  private permission(change: ExposureChange): Record<string, unknown> | undefined {
    const protocol = change.protocol === 'all' ? '-1' : change.protocol;
    if (!hasShape(protocol, 'ip-protocol')) {
      if (change.protocol !== null) this.refuse('ipProtocol', change.eventId, 'ip-protocol');
      return undefined;
    }
    const peer = peerOf(change);
    if (!peer) {
      this.refuse(`peer (${change.peer.kind})`, change.eventId, change.peer.kind);
      return undefined;
    }
    const ports = portsOf(protocol, change.fromPort, change.toPort);
    return { IpProtocol: protocol, ...ports, ...peer };
  }

  /** A network ACL allow entry's CLI words and SDK fields, for the undo. */
  private aclEntry(change: ExposureChange): { argv: string[]; sdk: Record<string, unknown> } | undefined {
    const number = change.protocol === null ? undefined : (PROTOCOL_NUMBERS[change.protocol] ?? change.protocol);
    if (!hasShape(number, 'ip-protocol') || change.peer.kind !== 'cidr') return undefined;
    const v4 = hasShape(change.peer.value, 'ipv4-cidr');
    if (!v4 && !hasShape(change.peer.value, 'ipv6-cidr')) return undefined;
    const ports = number === '6' || number === '17';
    const from = change.fromPort ?? 0;
    const to = change.toPort ?? 65535;
    return {
      argv: [
        '--protocol',
        number,
        ...(ports ? ['--port-range', `From=${from},To=${to}`] : []),
        v4 ? '--cidr-block' : '--ipv6-cidr-block',
        change.peer.value,
        '--rule-action',
        'allow',
      ],
      sdk: {
        Protocol: number,
        ...(ports ? { PortRange: { From: from, To: to } } : {}),
        ...(v4 ? { CidrBlock: change.peer.value } : { Ipv6CidrBlock: change.peer.value }),
        RuleAction: 'allow',
      },
    };
  }

  /** Deactivate the key, or revoke the sessions, of the finding's credentials when the finding is about them. */
  credentials(now: string): void {
    const finding = this.finding;
    const credentials = finding.credentials;
    if (!credentials) return;
    const suspect = CALLER_SIGNALS.filter((s) => finding.signals[s] === true);
    if (finding.kind !== 'credential' && suspect.length === 0) {
      if (credentials.accessKeyId)
        this.notes.push(`the caller's credentials are not planned for: no signal says the caller is suspect (${CALLER_SIGNALS.join(', ')})`);
      return;
    }
    const why = finding.kind === 'credential' ? 'the finding is about these credentials' : `the caller is suspect (${suspect.join(', ')})`;
    const ref = finding.evidence.find((row) => row.region !== null && row.source_ref)?.source_ref ?? null;
    if (!this.region) {
      this.refuse('region', ref, 'region', 'no single region in the evidence: every command must carry one');
      return;
    }
    const region = this.region;
    const arn = credentials.arn ?? '';
    if (credentials.keyKind === 'long-term') {
      const user = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (credentials.identityType === 'Root' || /:root$/.test(arn)) {
        this.notes.push('a root access key: only the root user can deactivate or delete it (sign in as root, Security credentials); no command is planned');
        return;
      }
      const v = this.checked(ref, { accessKeyId: [credentials.accessKeyId, 'access-key-id'], userName: [user?.[2], 'iam-name'] });
      if (!v) return;
      const update = (status: 'Inactive' | 'Active') =>
        call(
          ['iam', 'update-access-key', '--region', region, '--access-key-id', v.accessKeyId!, '--status', status, '--user-name', v.userName!],
          'IAMClient',
          'UpdateAccessKeyCommand',
          { AccessKeyId: v.accessKeyId, Status: status, UserName: v.userName },
        );
      this.steps.push({
        action: 'deactivate-access-key',
        target: v.accessKeyId!,
        account: user?.[1] ?? this.account,
        region,
        changes: `sets the access key ${v.accessKeyId} of IAM user ${v.userName} to Inactive: every call signed with it fails from then on (${why}); the user's other keys and console password stay`,
        call: update('Inactive'),
        before: [
          call(['iam', 'list-access-keys', '--region', region, '--user-name', v.userName!], 'IAMClient', 'ListAccessKeysCommand', { UserName: v.userName }),
        ],
        undo: { call: update('Active'), restores: `the key ${v.accessKeyId} as Active` },
        basis: finding.eventIds.slice(0, 10),
        notes: ['sessions the key already obtained (sts get-session-token, assume-role) stay valid until they expire: revoke them too if the logs show any'],
      });
      return;
    }
    if (credentials.keyKind !== 'session') return;
    const role = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(credentials.issuer ?? '');
    const user = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
    const principal = role ? { kind: 'role' as const, match: role } : user ? { kind: 'user' as const, match: user } : undefined;
    if (!principal) {
      this.refuse('issuer', ref, 'role or user ARN', 'the session has no IAM role or user issuer the plan can attach a policy to');
      return;
    }
    const v = this.checked(ref, { name: [principal.match[2], 'iam-name'] });
    if (!v) return;
    const issuedBefore = now.replace(/\.\d+Z$/, 'Z');
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } } }],
    };
    const kind = principal.kind;
    const Kind = kind === 'role' ? 'Role' : 'User';
    const nameFlag = `--${kind}-name`;
    const nameField = `${Kind}Name`;
    this.steps.push({
      action: 'revoke-sessions',
      target: `${kind} ${v.name}`,
      account: principal.match[1] ?? this.account,
      region,
      changes: `attaches the inline policy ${REVOKE_SESSIONS_POLICY} to ${kind} ${v.name}: it denies every action to sessions issued before ${issuedBefore}, the session ${hasShape(credentials.accessKeyId, 'access-key-id') ? credentials.accessKeyId : 'of the finding'} included (${why}); sessions issued later are not affected`,
      call: call(
        [
          'iam',
          `put-${kind}-policy`,
          '--region',
          region,
          nameFlag,
          v.name!,
          '--policy-name',
          REVOKE_SESSIONS_POLICY,
          '--policy-document',
          JSON.stringify(policy),
        ],
        'IAMClient',
        `Put${Kind}PolicyCommand`,
        { [nameField]: v.name, PolicyName: REVOKE_SESSIONS_POLICY, PolicyDocument: JSON.stringify(policy) },
      ),
      before: [
        call(['iam', `list-${kind}-policies`, '--region', region, nameFlag, v.name!], 'IAMClient', `List${Kind}PoliciesCommand`, { [nameField]: v.name }),
      ],
      undo: {
        call: call(
          ['iam', `delete-${kind}-policy`, '--region', region, nameFlag, v.name!, '--policy-name', REVOKE_SESSIONS_POLICY],
          'IAMClient',
          `Delete${Kind}PolicyCommand`,
          {
            [nameField]: v.name,
            PolicyName: REVOKE_SESSIONS_POLICY,
          },
        ),
        restores: `sessions of ${kind} ${v.name} issued before ${issuedBefore} work again (those not yet expired)`,
      },
      basis: finding.eventIds.slice(0, 10),
      notes: [
        kind === 'role'
          ? 'every holder of the role loses its older sessions, legitimate ones too (an instance profile fetches new credentials on its own)'
          : 'a session from GetSessionToken: deactivating the user keys does not end it; this policy does',
      ],
    });
  }

  /** Quarantine (with `--quarantine-sg`) and snapshot the instances the evidence names. */
  instances(quarantineGroup: string | undefined): void {
    const ids: string[] = [];
    const bad = new Set<string>();
    for (const row of this.finding.evidence) {
      if (!row.resource || !/^i-/.test(row.resource) || ids.includes(row.resource) || bad.has(row.resource)) continue;
      if (hasShape(row.resource, 'instance-id')) ids.push(row.resource);
      else {
        bad.add(row.resource);
        this.refuse('instance id', row.source_ref, 'instance-id');
      }
    }
    if (!ids.length) return;
    if (!this.region) {
      this.refuse('region', null, 'region', `no single region in the evidence for instance${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`);
      return;
    }
    const region = this.region;
    const basis = (id: string) => [...new Set(this.finding.evidence.filter((r) => r.resource === id).map((r) => r.source_ref))].slice(0, 10);
    const quarantine = quarantineGroup !== undefined && hasShape(quarantineGroup, 'security-group-id') ? quarantineGroup : undefined;
    if (quarantineGroup !== undefined && !quarantine) this.refuse('--quarantine-sg', null, 'security-group-id');
    if (quarantineGroup === undefined)
      this.notes.push(`no quarantine step: give --quarantine-sg sg-… to move ${ids.join(', ')} to a group that allows nothing`);
    for (const id of ids) {
      if (quarantine) {
        this.steps.push({
          action: 'quarantine-instance',
          target: id,
          account: this.account,
          region,
          changes: `replaces every security group of ${id} (its primary network interface) with ${quarantine}: new connections are limited to what ${quarantine} allows`,
          call: call(
            ['ec2', 'modify-instance-attribute', '--region', region, '--instance-id', id, '--groups', quarantine],
            'EC2Client',
            'ModifyInstanceAttributeCommand',
            {
              InstanceId: id,
              Groups: [quarantine],
            },
          ),
          before: [
            call(
              [
                'ec2',
                'describe-instances',
                '--region',
                region,
                '--instance-ids',
                id,
                '--query',
                'Reservations[].Instances[].NetworkInterfaces[].[NetworkInterfaceId,Groups[].GroupId]',
              ],
              'EC2Client',
              'DescribeInstancesCommand',
              { InstanceIds: [id] },
            ),
          ],
          undo: {
            call: null,
            restores: `the groups the check before lists: aws ec2 modify-instance-attribute --region ${region} --instance-id ${id} --groups <those group ids>`,
          },
          basis: basis(id),
          notes: [
            'connections already tracked may continue until they end: security groups are stateful',
            'an instance with several network interfaces: the others keep their groups (modify-network-interface-attribute for each)',
          ],
        });
      }
      const description = `trailbook ${this.finding.id}`;
      this.steps.push({
        action: 'snapshot-volumes',
        target: id,
        account: this.account,
        region,
        changes: `creates a crash-consistent snapshot of every EBS volume attached to ${id}, for forensics; the instance and its volumes are not changed`,
        call: call(
          [
            'ec2',
            'create-snapshots',
            '--region',
            region,
            '--instance-specification',
            `InstanceId=${id}`,
            '--description',
            description,
            '--copy-tags-from-source',
            'volume',
          ],
          'EC2Client',
          'CreateSnapshotsCommand',
          { InstanceSpecification: { InstanceId: id }, Description: description, CopyTagsFromSource: 'volume' },
        ),
        before: [
          call(
            ['ec2', 'describe-volumes', '--region', region, '--filters', `Name=attachment.instance-id,Values=${id}`],
            'EC2Client',
            'DescribeVolumesCommand',
            {
              Filters: [{ Name: 'attachment.instance-id', Values: [id] }],
            },
          ),
        ],
        undo: {
          call: null,
          restores:
            'nothing to restore: a snapshot changes no resource. Delete the snapshots (aws ec2 delete-snapshot --snapshot-id …, the ids create-snapshots prints) when the case is closed',
        },
        basis: basis(id),
        notes: [
          'the volume ids are not in the logs: the check before lists them (describe-volumes); per volume, aws ec2 create-snapshot --volume-id <id> does the same one at a time',
        ],
      });
    }
  }
}

const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

function call(args: string[], client: AwsCall['sdk']['client'], command: string, input: Record<string, unknown>): AwsCall {
  const argv = ['aws', ...args];
  return { argv, command: shellCommand(argv), sdk: { client, command, input } };
}

/** The peer of a security-group rule as IpPermission fields, or undefined when it has not the shape. */
function peerOf(change: ExposureChange): Record<string, unknown> | undefined {
  const { kind, value } = change.peer;
  if (kind === 'cidr') {
    if (hasShape(value, 'ipv4-cidr')) return { IpRanges: [{ CidrIp: value }] };
    if (hasShape(value, 'ipv6-cidr')) return { Ipv6Ranges: [{ CidrIpv6: value }] };
    return undefined;
  }
  if (kind === 'prefix-list') return hasShape(value, 'prefix-list-id') ? { PrefixListIds: [{ PrefixListId: value }] } : undefined;
  if (kind === 'security-group') {
    const [owner, id] = value.includes('/') ? value.split('/', 2) : [undefined, value];
    if (!hasShape(id, 'security-group-id') || (owner !== undefined && !hasShape(owner, 'account-id'))) return undefined;
    return { UserIdGroupPairs: [{ GroupId: id, ...(owner ? { UserId: owner } : {}) }] };
  }
  return undefined;
}

/** FromPort/ToPort as EC2 wants them: none for all protocols, -1 for every ICMP type, 0-65535 for every port. */
function portsOf(protocol: string, from: number | null, to: number | null): Record<string, number> {
  if (protocol === '-1') return {};
  if (protocol === 'icmp' || protocol === 'icmpv6' || protocol === '1' || protocol === '58') return { FromPort: from ?? -1, ToPort: to ?? -1 };
  return { FromPort: from ?? 0, ToPort: to ?? 65535 };
}

function describeRule(change: ExposureChange): string {
  const protocol = change.protocol === 'all' ? 'every protocol' : (change.protocol ?? 'unknown protocol');
  const ports =
    change.protocol === 'all'
      ? 'and port'
      : change.fromPort === null
        ? 'all ports'
        : change.fromPort === change.toPort
          ? `port ${change.fromPort}`
          : `ports ${change.fromPort}-${change.toPort}`;
  const peerWord = change.direction === 'egress' ? 'to' : 'from';
  const peer = change.peer.kind === 'any' ? 'anyone' : shapedPeer(change) ? change.peer.value : `a ${change.peer.kind} (refused: not of its shape)`;
  return `${protocol} ${ports} ${peerWord} ${peer}`;
}

function shapedPeer(change: ExposureChange): boolean {
  return peerOf(change) !== undefined;
}
