import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aclWindows, isDefaultEgressRule, normalizeEvent, type ExposureChange } from '../../src/ports/index.js';
import { event, rowFromRecord } from './records.js';

/**
 * Direction is part of exposure (only an inbound path makes a port reachable from the internet),
 * and network ACL entries are evaluated as VPC does: in rule-number order, first match wins.
 */
const normalize = (record: Record<string, unknown>): ExposureChange[] => normalizeEvent(rowFromRecord(record));
const at = (minute: number) => ({ eventTime: `2024-08-01T12:${String(minute).padStart(2, '0')}:00Z` });

test('an egress rule to 0.0.0.0/0 on 8443 is an outbound path, never internet-exposed', () => {
  const perm = { ipProtocol: 'tcp', fromPort: 8443, toPort: 8443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } };
  const [egress] = normalize(event('AuthorizeSecurityGroupEgress', { groupId: 'sg-1', ipPermissions: { items: [perm] } }));
  assert.equal(egress!.direction, 'egress');
  assert.equal(egress!.internetExposed, false);
  assert.match(egress!.why, /outbound path/);
  assert.equal(isDefaultEgressRule(egress!), false, 'tcp 8443 is not the default all-traffic rule');
  // Near miss: the same rule as ingress is exposed.
  const [ingress] = normalize(event('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipPermissions: { items: [perm] } }));
  assert.equal(ingress!.internetExposed, true);
});

test('the default egress rule (all traffic to 0.0.0.0/0 or ::/0) is recognised and named', () => {
  const all = { ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] }, ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] } };
  const changes = normalize(event('AuthorizeSecurityGroupEgress', { groupId: 'sg-1', ipPermissions: { items: [all] } }));
  assert.equal(changes.length, 2);
  for (const c of changes) {
    assert.equal(isDefaultEgressRule(c), true);
    assert.equal(c.internetExposed, false);
    assert.match(c.why, /default egress rule every security group gets/);
  }
  // Near misses: narrower peer, or one protocol only, is not the default.
  const narrow = normalize(
    event('AuthorizeSecurityGroupEgress', {
      groupId: 'sg-1',
      ipPermissions: { items: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } }] },
    }),
  );
  assert.equal(isDefaultEgressRule(narrow[0]!), false);
  const tcpAll = normalize(
    event('AuthorizeSecurityGroupEgress', {
      groupId: 'sg-1',
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    }),
  );
  assert.equal(isDefaultEgressRule(tcpAll[0]!), false);
});

const entry = (minute: number, ruleNumber: number, ruleAction: 'allow' | 'deny', extra: Record<string, unknown> = {}) =>
  normalize({
    ...event('CreateNetworkAclEntry', {
      networkAclId: 'acl-1',
      ruleNumber,
      egress: false,
      aclProtocol: '6',
      portRange: { from: 8443, to: 8443 },
      ruleAction,
      cidrBlock: '0.0.0.0/0',
      ...extra,
    }),
    ...at(minute),
  });
const remove = (minute: number, ruleNumber: number) =>
  normalize({ ...event('DeleteNetworkAclEntry', { networkAclId: 'acl-1', ruleNumber, egress: false }), ...at(minute) });

test('ACL: allow as 100, then deny the same as 200: 100 decides first, 8443 stays open', () => {
  const changes = [...entry(1, 100, 'allow'), ...entry(2, 200, 'deny')];
  const { windows } = aclWindows(changes, { port: 8443, protocols: ['tcp'] });
  assert.equal(windows.length, 1);
  assert.equal(windows[0]!.closed, null, 'the deny at 200 is never reached for 8443');
  assert.equal(windows[0]!.internetExposed, true);
});

test('ACL: deny as 50, then allow all as 100: 50 decides first, nothing opens; deleting 50 opens it', () => {
  const deny = entry(1, 50, 'deny');
  const allow = entry(2, 100, 'allow', { aclProtocol: '-1', portRange: undefined });
  const shadowedRun = aclWindows([...deny, ...allow], { port: 8443, protocols: ['tcp'] });
  assert.equal(shadowedRun.windows.length, 0);
  assert.match(shadowedRun.shadowed.get(allow[0]!) ?? '', /rule 50 \(deny 0\.0\.0\.0\/0\).*rule-number order/);
  // Another port is not denied by 50: the allow-all entry opens it.
  assert.equal(aclWindows([...deny, ...allow], { port: 443, protocols: ['tcp'] }).windows.length, 1);
  // Deleting the deny lets the allow decide: a window opened by the delete.
  const del = remove(3, 50);
  const later = aclWindows([...deny, ...allow, ...del], { port: 8443, protocols: ['tcp'] });
  assert.equal(later.windows.length, 1);
  assert.equal(later.windows[0]!.opened, del[0]);
});

test('ACL: a lower deny added later closes the allow window as shadowed; a partial deny leaves it internet-wide', () => {
  const allow = entry(1, 100, 'allow');
  const partial = entry(2, 90, 'deny', { cidrBlock: '10.0.0.0/8' });
  const full = entry(3, 80, 'deny');
  const { windows } = aclWindows([...allow, ...partial, ...full], { port: 8443, protocols: ['tcp'] });
  assert.equal(windows.length, 1);
  assert.equal(windows[0]!.closed, full[0], 'the /8 deny leaves most of the internet allowed; the /0 deny shadows it all');
  assert.equal(windows[0]!.closedHow, 'shadowed');
  // Halves of the internet denied below: nothing is left.
  const halves = [...entry(1, 100, 'allow'), ...entry(2, 10, 'deny', { cidrBlock: '0.0.0.0/1' }), ...entry(3, 11, 'deny', { cidrBlock: '128.0.0.0/1' })];
  const closed = aclWindows(halves, { port: 8443, protocols: ['tcp'] }).windows;
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.closedHow, 'shadowed');
});

test('ACL: replacing and deleting the slot close its window; outbound entries are never internet-exposed', () => {
  const allow = entry(1, 100, 'allow');
  const replaced = normalize({
    ...event('ReplaceNetworkAclEntry', {
      networkAclId: 'acl-1',
      ruleNumber: 100,
      egress: false,
      aclProtocol: '6',
      portRange: { from: 22, to: 22 },
      ruleAction: 'allow',
      cidrBlock: '0.0.0.0/0',
    }),
    ...at(2),
  });
  const w = aclWindows([...allow, ...replaced], { port: 8443, protocols: ['tcp'] }).windows;
  assert.equal(w.length, 1);
  assert.equal(w[0]!.closedHow, 'replaced');
  const gone = aclWindows([...allow, ...remove(2, 100)], { port: 8443, protocols: ['tcp'] }).windows;
  assert.equal(gone[0]!.closedHow, 'same-slot');
  const out = normalize({
    ...event('CreateNetworkAclEntry', { networkAclId: 'acl-1', ruleNumber: 100, egress: true, aclProtocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' }),
    ...at(1),
  });
  assert.equal(out[0]!.internetExposed, false);
  assert.equal(isDefaultEgressRule(out[0]!), true);
  assert.match(out[0]!.why, /default network ACL's outbound allow-all/);
});
