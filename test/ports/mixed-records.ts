import { event } from './records.js';

export const at = (minute: number) => `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z`;
export const perm = (from: number, to: number, cidr: string) => ({ ipProtocol: 'tcp', fromPort: from, toPort: to, ipRanges: { items: [{ cidrIp: cidr }] } });

/**
 * Every kind of change the judgement knows, including the one that needs another event: a
 * ModifySecurityGroupRules whose rule's direction is known only from the Authorize that created it.
 */
export function mixedRecords(): Record<string, any>[] {
  return [
    {
      ...event('AuthorizeSecurityGroupEgress', { groupId: 'sg-0eg', ipPermissions: { items: [perm(8443, 8443, '0.0.0.0/0')] } }),
      eventID: 'create-egress',
      eventTime: at(1),
      responseElements: {
        _return: true,
        securityGroupRuleSet: {
          items: [
            { groupId: 'sg-0eg', securityGroupRuleId: 'sgr-0eg', isEgress: true, ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, cidrIpv4: '0.0.0.0/0' },
          ],
        },
      },
    },
    {
      ...event('ModifySecurityGroupRules', {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-0eg',
          SecurityGroupRule: { SecurityGroupRuleId: 'sgr-0eg', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8400, ToPort: 8500, CidrIpv4: '0.0.0.0/0' } },
        },
      }),
      eventID: 'modify-egress',
      eventTime: at(2),
    },
    {
      ...event('AuthorizeSecurityGroupIngress', {
        groupId: 'sg-0all',
        ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
      }),
      eventID: 'open-all',
      eventTime: at(3),
      userAgent: '=HYPERLINK("x")',
    },
    {
      ...event('CreateNetworkAclEntry', {
        networkAclId: 'acl-1',
        ruleNumber: 90,
        egress: false,
        aclProtocol: '6',
        portRange: { from: 1024, to: 65535 },
        ruleAction: 'allow',
        cidrBlock: '0.0.0.0/0',
      }),
      eventID: 'open-nacl',
      eventTime: at(4),
    },
    {
      ...event('CreateListener', { loadBalancerArn: 'arn:lb', protocol: 'HTTPS', port: 8443 }),
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventID: 'open-listener',
      eventTime: at(5),
      responseElements: { listeners: [{ listenerArn: 'arn:listener/1', port: 8443, protocol: 'HTTPS' }] },
    },
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0all', ipPermissions: { items: [perm(8443, 8443, '203.0.113.0/24')] } }),
      eventID: 'attempt',
      eventTime: at(6),
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: 'not "you"\n',
      responseElements: null,
    },
    {
      ...event('ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-1', groupSet: { items: [{ groupId: 'sg-0all' }] } }),
      eventID: 'attach',
      eventTime: at(7),
    },
    {
      ...event('RevokeSecurityGroupIngress', {
        groupId: 'sg-0all',
        ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
      }),
      eventID: 'close-all',
      eventTime: at(8),
    },
    {
      ...event('DeleteListener', { listenerArn: 'arn:listener/1' }),
      eventSource: 'elasticloadbalancing.amazonaws.com',
      eventID: 'close-listener',
      eventTime: at(9),
    },
    {
      ...event('AuthorizeSecurityGroupIngress', { groupId: 'sg-0dec', ipPermissions: { items: [perm(18443, 18443, '0.0.0.0/0')] } }),
      eventID: 'decoy',
      eventTime: at(10),
    },
    { ...event('DescribeInstances', {}), eventID: 'noise', eventTime: at(11) },
  ];
}
