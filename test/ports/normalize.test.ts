import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeMatchesPort, normalizeEvent, type ExposureChange } from '../../src/ports/index.js';
import { event, rowFromRecord } from './records.js';

const normalize = (record: Record<string, any>, context = {}) => normalizeEvent(rowFromRecord(record), context);
const on8443 = (changes: ExposureChange[]) => changes.filter((c) => changeMatchesPort(c, 8443));

const nested = (items: unknown[]) => ({ groupId: 'sg-0aaa', ipPermissions: { items } });
const perm = (ipProtocol: string, fromPort: unknown, toPort: unknown, cidrs: string[], extra: Record<string, unknown> = {}) => ({
  ipProtocol,
  fromPort,
  toPort,
  ipRanges: { items: cidrs.map((cidrIp) => ({ cidrIp })) },
  ipv6Ranges: {},
  prefixListIds: {},
  groups: {},
  ...extra,
});

test('AuthorizeSecurityGroupIngress, nested shape: one change per peer, with every column filled', () => {
  const changes = normalize(
    event(
      'AuthorizeSecurityGroupIngress',
      nested([
        perm('tcp', 8443, 8443, ['0.0.0.0/0'], {
          ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
          prefixListIds: { items: [{ prefixListId: 'pl-0abc' }] },
          groups: { items: [{ groupId: 'sg-0bbb', userId: '444455556666' }] },
        }),
      ]),
    ),
  );
  assert.equal(changes.length, 4);
  const [v4, v6, pl, sg] = changes as [ExposureChange, ExposureChange, ExposureChange, ExposureChange];
  assert.equal(v4.action, 'open');
  assert.equal(v4.resource, 'sg-0aaa');
  assert.equal(v4.resourceType, 'security-group');
  assert.equal(v4.direction, 'ingress');
  assert.equal(v4.protocol, 'tcp');
  assert.equal(v4.fromPort, 8443);
  assert.equal(v4.toPort, 8443);
  assert.deepEqual(v4.peer, { kind: 'cidr', value: '0.0.0.0/0' });
  assert.equal(v4.internetExposed, true);
  assert.equal(v4.actor, 'arn:aws:iam::111122223333:user/alice');
  assert.equal(v4.accessKeyId, 'AKIAEXAMPLE');
  assert.equal(v4.sourceIp, '198.51.100.7');
  assert.equal(v4.eventSource, 'ec2.amazonaws.com');
  assert.equal(v4.region, 'us-east-1');
  assert.equal(v4.accountId, '111122223333');
  assert.equal(v4.errorCode, null);
  assert.match(v4.why, /ipRanges\.cidrIp/);
  assert.match(v4.why, /whole address family/);
  assert.equal(v6.internetExposed, true);
  assert.deepEqual(pl.peer, { kind: 'prefix-list', value: 'pl-0abc' });
  assert.equal(pl.internetExposed, false);
  assert.deepEqual(sg.peer, { kind: 'security-group', value: '444455556666/sg-0bbb' });
  assert.equal(sg.internetExposed, false);
});

test('legacy flat shape (fromPort/toPort/cidrIp at the top level)', () => {
  const changes = normalize(
    event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0aaa', ipProtocol: 'tcp', fromPort: 8000, toPort: 9000, cidrIp: '0.0.0.0/0', ipPermissions: {} }),
  );
  assert.equal(changes.length, 1);
  assert.equal(on8443(changes).length, 1);
  assert.match(changes[0]!.why, /legacy flat/);
});

test('responseElements.securityGroupRuleSet is preferred: rule ids become slots', () => {
  const changes = normalize(
    event('AuthorizeSecurityGroupEgress', nested([perm('tcp', 8443, 8443, ['203.0.113.9/32'])]), {
      responseElements: {
        _return: true,
        securityGroupRuleSet: {
          items: [
            { groupId: 'sg-0aaa', securityGroupRuleId: 'sgr-1', isEgress: true, ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, cidrIpv4: '203.0.113.9/32' },
          ],
        },
      },
    }),
  );
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.direction, 'egress');
  assert.equal(changes[0]!.ruleKey, 'sgr-1');
  assert.match(changes[0]!.why, /securityGroupRuleSet/);
});

test('all-traffic rule (-1, no ports) matches 8443; ICMP type 8 does not match port 8', () => {
  const all = normalize(event('AuthorizeSecurityGroupIngress', nested([{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }])));
  assert.equal(all[0]!.protocol, 'all');
  assert.equal(all[0]!.fromPort, null);
  assert.ok(changeMatchesPort(all[0]!, 8443));
  assert.match(all[0]!.why, /all traffic/);
  const icmp = normalize(event('AuthorizeSecurityGroupIngress', nested([perm('icmp', 8, -1, ['0.0.0.0/0'])])));
  assert.equal(icmp[0]!.protocol, 'icmp');
  assert.ok(!changeMatchesPort(icmp[0]!, 8));
  assert.match(icmp[0]!.why, /ICMP type\/code are not ports/);
});

test('a failed call is an attempt, never an exposure', () => {
  const changes = normalize(
    event('AuthorizeSecurityGroupIngress', nested([perm('tcp', 8443, 8443, ['0.0.0.0/0'])]), {
      errorCode: 'Client.UnauthorizedOperation',
      responseElements: null,
    }),
  );
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.action, 'attempt');
  assert.equal(changes[0]!.internetExposed, false);
  assert.equal(changes[0]!.errorCode, 'Client.UnauthorizedOperation');
  assert.match(changes[0]!.why, /attempt, not an exposure/);
});

test('Revoke: by content and by rule id', () => {
  const byContent = normalize(event('RevokeSecurityGroupIngress', nested([perm('tcp', 8443, 8443, ['0.0.0.0/0'])])));
  assert.equal(byContent[0]!.action, 'close');
  assert.equal(byContent[0]!.internetExposed, false);
  const byId = normalize(event('RevokeSecurityGroupIngress', { groupId: 'sg-0aaa', securityGroupRuleIds: { items: [{ securityGroupRuleId: 'sgr-9' }] } }));
  assert.equal(byId[0]!.action, 'close');
  assert.equal(byId[0]!.ruleKey, 'sgr-9');
  assert.equal(byId[0]!.protocol, null);
});

test('ModifySecurityGroupRules: PascalCase, nested twice; direction from context', () => {
  const request = {
    ModifySecurityGroupRulesRequest: {
      GroupId: 'sg-0aaa',
      SecurityGroupRule: {
        SecurityGroupRuleId: 'sgr-7',
        SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8000, ToPort: 8999, CidrIpv4: '0.0.0.0/0', Description: 'temp' },
      },
    },
  };
  const assumed = normalize(event('ModifySecurityGroupRules', request));
  assert.equal(assumed.length, 1);
  assert.equal(assumed[0]!.action, 'open');
  assert.equal(assumed[0]!.ruleKey, 'sgr-7');
  assert.equal(assumed[0]!.direction, 'ingress');
  assert.match(assumed[0]!.why, /ingress assumed/);
  assert.ok(changeMatchesPort(assumed[0]!, 8443));
  assert.equal(assumed[0]!.internetExposed, true);
  const known = normalize(event('ModifySecurityGroupRules', request), { ruleDirections: new Map([['sgr-7', 'egress']]) });
  assert.equal(known[0]!.direction, 'egress');
  const list = normalize(
    event('ModifySecurityGroupRules', {
      ModifySecurityGroupRulesRequest: {
        GroupId: 'sg-0aaa',
        SecurityGroupRule: [
          { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListId: 'pl-1' } },
          { SecurityGroupRuleId: 'sgr-2', SecurityGroupRule: { IpProtocol: '-1', ReferencedGroupId: 'sg-9' } },
        ],
      },
    }),
  );
  assert.deepEqual(
    list.map((c) => c.peer.kind),
    ['prefix-list', 'security-group'],
  );
});

test('network ACL entries: allow opens, deny never does, delete names the slot', () => {
  const base = { networkAclId: 'acl-1', ruleNumber: 100, egress: false, icmpTypeCode: {}, cidrBlock: '0.0.0.0/0' };
  const allow = normalize(event('CreateNetworkAclEntry', { ...base, aclProtocol: '6', portRange: { from: 8000, to: 9000 }, ruleAction: 'allow' }));
  assert.equal(allow[0]!.action, 'open');
  assert.equal(allow[0]!.ruleKey, 'ingress#100');
  assert.equal(allow[0]!.internetExposed, true);
  assert.ok(changeMatchesPort(allow[0]!, 8443));
  const deny = normalize(event('CreateNetworkAclEntry', { ...base, aclProtocol: '-1', portRange: { from: -1, to: -1 }, ruleAction: 'deny' }));
  assert.equal(deny[0]!.action, 'close');
  assert.equal(deny[0]!.internetExposed, false);
  const v6 = normalize(
    event('ReplaceNetworkAclEntry', {
      networkAclId: 'acl-1',
      ruleNumber: 7,
      egress: true,
      aclProtocol: '17',
      portRange: { from: 8443, to: 8443 },
      ruleAction: 'allow',
      ipv6CidrBlock: '::/0',
    }),
  );
  assert.equal(v6[0]!.direction, 'egress');
  assert.equal(v6[0]!.protocol, 'udp');
  const del = normalize(event('DeleteNetworkAclEntry', { networkAclId: 'acl-1', ruleNumber: 100, egress: false }));
  assert.equal(del[0]!.action, 'close');
  assert.equal(del[0]!.ruleKey, 'ingress#100');
});

test('ELBv2 listeners, target groups and targets', () => {
  const elb = { eventSource: 'elasticloadbalancing.amazonaws.com' };
  const listener = normalize(
    event(
      'CreateListener',
      { loadBalancerArn: 'arn:lb/app/x/1', protocol: 'HTTPS', port: 8443 },
      {
        ...elb,
        responseElements: { listeners: [{ listenerArn: 'arn:listener/app/x/1/2', port: 8443, protocol: 'HTTPS' }] },
      },
    ),
  );
  assert.equal(listener.length, 1);
  assert.equal(listener[0]!.resource, 'arn:listener/app/x/1/2');
  assert.equal(listener[0]!.protocol, 'tcp');
  assert.equal(listener[0]!.fromPort, 8443);
  assert.equal(listener[0]!.peer.kind, 'any');
  assert.equal(listener[0]!.internetExposed, false);
  assert.match(listener[0]!.why, /scheme and security groups/);
  const del = normalize(event('DeleteListener', { listenerArn: 'arn:listener/app/x/1/2' }, elb));
  assert.equal(del[0]!.action, 'close');
  assert.equal(del[0]!.ruleKey, '*');
  const tg = normalize(event('CreateTargetGroup', { name: 'tg', protocol: 'HTTPS', port: 443, healthCheckPort: '8443', vpcId: 'vpc-1' }, elb));
  assert.deepEqual(
    tg.map((c) => c.fromPort),
    [443, 8443],
  );
  const targets = normalize(event('RegisterTargets', { targetGroupArn: 'arn:tg', targets: [{ id: 'i-1', port: 8443 }, { id: 'i-2' }] }, elb));
  assert.equal(on8443(targets).length, 2, 'tcp and udp readings of one target port');
  assert.ok(targets.every((c) => c.ruleKey === 'target:i-1:8443'));
  const v2lb = normalize(event('CreateLoadBalancer', { name: 'x', subnets: ['subnet-1'] }, elb));
  assert.equal(v2lb.length, 0, 'an ELBv2 load balancer opens nothing until a listener exists');
});

test('classic ELB listeners: front and back-end ports', () => {
  const elb = { eventSource: 'elasticloadbalancing.amazonaws.com' };
  const create = normalize(
    event(
      'CreateLoadBalancer',
      { loadBalancerName: 'web', listeners: [{ protocol: 'HTTPS', loadBalancerPort: 443, instanceProtocol: 'HTTP', instancePort: 8443 }] },
      elb,
    ),
  );
  assert.deepEqual(
    create.map((c) => [c.resourceType, c.fromPort]),
    [
      ['classic-elb-listener', 443],
      ['classic-elb-backend', 8443],
    ],
  );
  const del = normalize(event('DeleteLoadBalancerListeners', { loadBalancerName: 'web', loadBalancerPorts: [443] }, elb));
  assert.deepEqual(
    del.map((c) => c.ruleKey),
    ['listener:443', 'backend:443'],
  );
});

test('Global Accelerator listeners are internet-exposed port ranges', () => {
  const changes = normalize(
    event(
      'CreateListener',
      { acceleratorArn: 'arn:acc', portRanges: [{ fromPort: 8000, toPort: 9000 }], protocol: 'TCP' },
      { eventSource: 'globalaccelerator.amazonaws.com' },
    ),
  );
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.resourceType, 'global-accelerator-listener');
  assert.equal(changes[0]!.internetExposed, true);
  assert.ok(changeMatchesPort(changes[0]!, 8443));
});

test('Lightsail: Open adds, Put replaces everything, default source is every IPv4 address', () => {
  const ls = { eventSource: 'lightsail.amazonaws.com' };
  const open = normalize(event('OpenInstancePublicPorts', { instanceName: 'box', portInfo: { fromPort: 8443, toPort: 8443, protocol: 'tcp' } }, ls));
  assert.equal(open[0]!.peer.value, '0.0.0.0/0');
  assert.equal(open[0]!.internetExposed, true);
  const put = normalize(
    event('PutInstancePublicPorts', { instanceName: 'box', portInfos: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrs: ['192.0.2.0/24'] }] }, ls),
  );
  assert.deepEqual(
    put.map((c) => c.action),
    ['close', 'open'],
  );
  assert.equal(put[0]!.ruleKey, '*');
});

test('attaching groups is an attach with the group ids, never judged from the event alone', () => {
  const changes = normalize(
    event('ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: { items: [{ groupId: 'sg-0aaa' }, { groupId: 'sg-0bbb' }] } }),
  );
  assert.equal(changes[0]!.action, 'attach');
  assert.deepEqual(changes[0]!.groupIds, ['sg-0aaa', 'sg-0bbb']);
  assert.match(changes[0]!.why, /does not carry/);
  assert.equal(normalize(event('ModifyInstanceAttribute', { instanceId: 'i-1', userData: '<sensitiveDataRemoved>' })).length, 0, 'user data is not an attach');
  const elb = normalize(
    event('SetSecurityGroups', { loadBalancerArn: 'arn:lb', securityGroups: ['sg-1'] }, { eventSource: 'elasticloadbalancing.amazonaws.com' }),
  );
  assert.equal(elb[0]!.action, 'attach');
});

test('decoys: 8443 in ids, names and descriptions, 18443, 8444-9000 are not port 8443', () => {
  const decoys = [
    event(
      'AuthorizeSecurityGroupIngress',
      {
        groupId: 'sg-08443abc',
        ipPermissions: {
          items: [perm('tcp', 443, 443, ['0.0.0.0/0'], { ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'replaces the old 8443 rule' }] } })],
        },
      },
      { recipientAccountId: '184434908391' },
    ),
    event('AuthorizeSecurityGroupIngress', nested([perm('tcp', 18443, 18443, ['0.0.0.0/0'])])),
    event('AuthorizeSecurityGroupIngress', nested([perm('tcp', 8444, 9000, ['0.0.0.0/0'])])),
    event('AuthorizeSecurityGroupIngress', nested([perm('udp', 1, 8442, ['0.0.0.0/0'])])),
    event('CreateNetworkAclEntry', {
      networkAclId: 'acl-8443',
      ruleNumber: 8443,
      egress: false,
      aclProtocol: '6',
      portRange: { from: 80, to: 80 },
      ruleAction: 'allow',
      cidrBlock: '0.0.0.0/0',
    }),
    event('RunInstances', { instanceType: 't3.micro', userData: 'listen 8443' }),
  ];
  for (const decoy of decoys) {
    const hits = on8443(normalize(decoy));
    assert.equal(hits.length, 0, `${decoy.eventName} ${JSON.stringify(decoy.requestParameters)} must not match 8443`);
  }
  const description = normalize(decoys[0]!);
  assert.match(description[0]!.why, /not used for matching/);
});
