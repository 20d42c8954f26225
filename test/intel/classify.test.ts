import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Verdict, buildIntelIndex, formatAddress, classify, loadFeed, loadIntel, parseTrusted } from '../../src/intel/index.js';
import { corpusFile } from '../helpers/corpus.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = join(HERE, '..', '..', 'examples', 'trusted-networks.yaml');
const fixture = (name: string) => join(HERE, 'fixtures', name);

const IN_WINDOW = new Date('2026-08-05T12:00:00Z');
const AFTER_WINDOW = new Date('2026-08-15T00:00:00Z'); // "to" is exclusive

function brief(v: Verdict): string {
  return `${v.verdict}/${v.rule}`;
}

test('verdict rules on the example trusted file (edges of every range)', async () => {
  const index = await loadIntel({ trusted: EXAMPLE });
  const at = { at: IN_WINDOW };
  const cases: Array<[string, string]> = [
    ['198.51.100.0', 'allowed/trusted-network'], // first address of hq-egress /28
    ['198.51.100.15', 'allowed/trusted-network'], // last address
    ['198.51.100.16', 'suspicious/untrusted-public'], // one outside (documentation range, still "public" in form)
    ['2001:db8:1000::', 'allowed/trusted-network'],
    ['2001:db8:1000:ffff:ffff:ffff:ffff:ffff', 'allowed/trusted-network'],
    ['2001:db8:1001::', 'suspicious/untrusted-public'],
    ['10.20.0.1', 'allowed/trusted-network'], // VPC beats "private"
    ['10.21.0.1', 'private/private-range'],
    ['203.0.113.128', 'allowed/trusted-network'], // partner
    ['192.0.2.0', 'known/pentest-window'],
    ['192.0.2.63', 'known/pentest-window'],
    ['192.0.2.64', 'known/benign-scanner'],
    ['192.0.2.95', 'known/benign-scanner'],
    ['192.0.2.96', 'known/health-check'],
    ['192.0.2.111', 'known/health-check'],
    ['192.0.2.112', 'suspicious/untrusted-public'],
    ['ec2.amazonaws.com', 'known/aws-service'],
    ['AWS Internal', 'known/aws-service'],
    ['vpce-0a1b2c3d4e5f60718', 'allowed/trusted-vpc-endpoint'],
    ['vpce-0123456789abcdef0', 'private/vpc-endpoint'],
    ['127.0.0.1', 'private/private-range'],
    ['100.64.0.1', 'private/private-range'],
    ['169.254.169.254', 'private/private-range'],
    ['fd00::1', 'private/private-range'],
    ['fe80::1', 'private/private-range'],
    ['::ffff:198.51.100.1', 'allowed/trusted-network'],
    ['not an ip', 'invalid/invalid-value'],
    ['251.234.045.249', 'invalid/invalid-value'],
    ['', 'invalid/invalid-value'],
  ];
  for (const [value, want] of cases) assert.equal(brief(classify(index, value, at)), want, value);
});

test('pentest windows: outside or without a time the match is listed but not applied', async () => {
  const index = await loadIntel({ trusted: EXAMPLE });
  const after = classify(index, '192.0.2.10', { at: AFTER_WINDOW });
  assert.equal(brief(after), 'suspicious/untrusted-public');
  assert.ok(after.reasons.some((r) => /pentest vendor "redteam-q3" \(192\.0\.2\.0\/26\) not applied: 2026-08-15T00:00:00\.000Z is outside its window/.test(r)));
  assert.equal(after.matches.find((m) => m.name === 'redteam-q3')?.active, false);
  const untimed = classify(index, '192.0.2.10');
  assert.equal(untimed.verdict, 'suspicious');
  assert.ok(untimed.reasons.some((r) => /no time given/.test(r)));
  const before = classify(index, '192.0.2.10', { at: new Date('2026-07-31T23:59:59.999Z') });
  assert.equal(before.verdict, 'suspicious');
  assert.equal(classify(index, '192.0.2.10', { at: new Date('2026-08-01T00:00:00Z') }).verdict, 'known');
});

test('approved principals: allowed from anywhere, sessions of a role included; intel still wins', async () => {
  const feed = await loadFeed(fixture('drop.txt'));
  const trusted = parseTrusted(
    ['version: 1', 'principals:', '  - name: ci-deploy', '    arns: ["arn:aws:iam::123456789012:role/github-actions-*"]', ''].join('\n'),
  );
  const index = buildIntelIndex([feed], trusted);
  const session = { principalArn: 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/run-7' };
  const ok = classify(index, '8.8.8.8', session);
  assert.equal(brief(ok), 'allowed/approved-principal');
  assert.match(ok.reasons[0]!, /approved principal "ci-deploy"/);
  assert.equal(brief(classify(index, '8.8.8.8', { principalArn: 'arn:aws:iam::123456789012:user/mallory' })), 'suspicious/untrusted-public');
  const listed = classify(index, '192.0.2.10', session);
  assert.equal(brief(listed), 'suspicious/threat-intel');
  assert.ok(listed.reasons.some((r) => /does not override a threat-intel hit/.test(r)));
});

test('conflicts: a trusted range on a feed lists both and names the winning rule; policy can flip it', async () => {
  const feed = await loadFeed(fixture('drop.txt')); // lists 198.51.100.0/25, which covers hq-egress
  const yaml = (policy: string) =>
    ['version: 1', `policy: { conflict: ${policy} }`, 'corporate:', '  - name: hq-egress', '    cidrs: [198.51.100.0/28]', ''].join('\n');
  const trustedWins = classify(buildIntelIndex([feed], parseTrusted(yaml('trusted-wins'))), '198.51.100.1');
  assert.equal(brief(trustedWins), 'allowed/trusted-over-intel');
  assert.equal(trustedWins.conflict, true);
  assert.match(
    trustedWins.reasons[0]!,
    /conflict: trusted corporate network "hq-egress" \(198\.51\.100\.0\/28\) is also on threat intel \(drop\); policy trusted-wins/,
  );
  assert.ok(trustedWins.reasons.some((r) => /feed drop line 5 lists 198\.51\.100\.0\/25 \(SBL000002\)/.test(r)));
  const intelWins = classify(buildIntelIndex([feed], parseTrusted(yaml('intel-wins'))), '198.51.100.1');
  assert.equal(brief(intelWins), 'suspicious/intel-over-trusted');
  assert.equal(intelWins.conflict, true);
  // outside the trusted /28 but inside the listed /25: a plain hit
  assert.equal(brief(classify(buildIntelIndex([feed], parseTrusted(yaml('trusted-wins'))), '198.51.100.16')), 'suspicious/threat-intel');
});

test('STIX validity: an indicator applies only between valid_from and valid_until', async () => {
  const index = buildIntelIndex([await loadFeed(fixture('bundle.json'))]);
  assert.equal(brief(classify(index, '198.51.100.9', { at: new Date('2026-03-01T00:00:00Z') })), 'suspicious/threat-intel');
  const expired = classify(index, '198.51.100.9', { at: new Date('2026-06-01T00:00:00Z') });
  assert.equal(brief(expired), 'suspicious/untrusted-public');
  assert.ok(expired.reasons.some((r) => /not applied: not valid at 2026-06-01T00:00:00\.000Z/.test(r)));
  const partial = classify(index, '192.0.2.44', { at: new Date('2026-03-01T00:00:00Z') });
  assert.match(partial.reasons[0]!, /pattern has further conditions/);
  assert.equal(brief(classify(index, '2001:db8::5')), 'suspicious/threat-intel');
  assert.equal(brief(classify(index, '2001:db8:feed:ffff::1')), 'suspicious/threat-intel');
});

test('address lists (proxy chains): the most severe part decides, each part explained', async () => {
  const index = await loadIntel({ trusted: EXAMPLE });
  const v = classify(index, '81.2.69.142, 192.168.10.10');
  assert.equal(brief(v), 'suspicious/address-list');
  assert.equal(v.parts?.length, 2);
  assert.deepEqual(v.parts!.map(brief), ['suspicious/untrusted-public', 'private/private-range']);
  assert.equal(brief(classify(index, '198.51.100.1, 10.20.3.4')), 'allowed/address-list');
  assert.equal(brief(classify(index, ' , ')), 'invalid/invalid-value');
});

test('corpus: real feeds give the right verdicts with reasons (IPv4, IPv6, AWS, edges)', async (t) => {
  const ipsum = corpusFile(t, 'threatintel/ipsum/ipsum.txt');
  const aws = corpusFile(t, 'threatintel/aws-ip-ranges/ip-ranges.json.gz');
  const drop = corpusFile(t, 'threatintel/firehol/spamhaus_drop.netset');
  const apt1 = corpusFile(t, 'threatintel/stix2/apt1.json');
  if (!ipsum || !aws || !drop || !apt1) return;
  const index = await loadIntel({ feeds: [ipsum, aws, drop, apt1], trusted: EXAMPLE });
  const tor = classify(index, '185.220.101.50');
  assert.equal(brief(tor), 'suspicious/threat-intel');
  assert.match(tor.reasons[0]!, /feed ipsum line \d+ lists 185\.220\.101\.50\/32 \(on 3 blocklists\)/);
  const s3 = classify(index, '52.95.128.179');
  assert.equal(brief(s3), 'known/aws-ip-range');
  assert.match(s3.reasons[0]!, /S3 ap-southeast-2 \(52\.95\.128\.0\/21\)/);
  assert.equal(brief(classify(index, '2600:1f18::1')), 'known/aws-ip-range');
  // apt1's 223.166.0.0/15: first, last, one past (which Spamhaus DROP 2015 lists as 223.168.0.0/14)
  assert.equal(brief(classify(index, '223.166.0.0')), 'suspicious/threat-intel');
  assert.equal(classify(index, '223.167.255.255').matches.find((m) => m.source === 'intel')?.name, 'apt1');
  assert.equal(classify(index, '223.168.0.0').matches.find((m) => m.source === 'intel')?.name, 'spamhaus_drop');
  assert.equal(brief(classify(index, '223.165.255.255')), 'suspicious/untrusted-public');
  assert.equal(brief(classify(index, 'ec2.amazonaws.com')), 'known/aws-service');
  assert.equal(brief(classify(index, '::ffff:185.220.101.50')), 'suspicious/threat-intel');
  // AWS range and a feed on the same address: the feed wins, both are listed
  const onAws = index.feeds
    .find((f) => f.name === 'ipsum')!
    .entries.map((e) => formatAddress(e.prefix))
    .find((ip) => classify(index, ip).matches.some((m) => m.source === 'aws'));
  assert.ok(onAws, 'some ipsum addresses are inside AWS ranges');
  const v = classify(index, onAws);
  assert.equal(v.rule, 'threat-intel');
  assert.ok(v.reasons.some((r) => r.startsWith('AWS ip-ranges:')));
});

test('an index is timeless only when no entry depends on time; then the time never changes a verdict', async () => {
  const plain = buildIntelIndex([await loadFeed(join(HERE, '..', '..', 'sample', 'intel', 'threat-feed.txt'))]);
  assert.equal(buildIntelIndex([]).timeless, true);
  assert.equal(plain.timeless, true);
  assert.equal((await loadIntel({ trusted: EXAMPLE })).timeless, false, 'a pentest window');
  assert.equal(buildIntelIndex([await loadFeed(fixture('bundle.json'))]).timeless, false, 'STIX validity');
  const times = [undefined, IN_WINDOW, AFTER_WINDOW, new Date('1999-01-01T00:00:00Z')];
  for (const value of ['198.51.100.23', '198.51.100.77', '192.0.2.10', '10.0.0.1', 'ec2.amazonaws.com', 'not-an-ip']) {
    const verdicts = times.map((at) => classify(plain, value, at ? { at } : {}));
    for (const v of verdicts) assert.deepEqual(v, verdicts[0], value);
  }
});

test('address classes: a range no host sends from is not a source; each class is named in the reason; reports give one verdict', async () => {
  const index = await loadIntel({ trusted: EXAMPLE });
  const cases: Array<[string, string, string, RegExp]> = [
    ['253.243.215.253', 'invalid/not-a-source', 'suspicious', /^reserved address \(240\.0\.0\.0\/4\): .*not a real source/], // Stratus caller
    ['255.255.255.255', 'invalid/not-a-source', 'suspicious', /^broadcast address/],
    ['224.0.0.251', 'invalid/not-a-source', 'suspicious', /^multicast address \(224\.0\.0\.0\/4\)/],
    ['0.1.2.3', 'invalid/not-a-source', 'suspicious', /^"this network" address/],
    ['ff02::1', 'invalid/not-a-source', 'suspicious', /^multicast address \(ff00::\/8\)/],
    ['100.64.0.1', 'private/private-range', 'known', /^CGNAT address \(100\.64\.0\.0\/10\)/],
    ['10.21.0.1', 'private/private-range', 'known', /^private address \(10\.0\.0\.0\/8\)/],
    ['127.0.0.1', 'private/private-range', 'known', /^loopback address/],
    ['169.254.169.254', 'private/private-range', 'known', /^link-local address/],
    ['192.0.2.200', 'suspicious/untrusted-public', 'suspicious', /^public address/],
    // Stratus scrambles addresses into invalid ones: "not an address", never public.
    ['08.1.250.216', 'invalid/invalid-value', 'suspicious', /^not an IP address.*leading zero/],
  ];
  for (const [value, want, reported, reason] of cases) {
    const v = classify(index, value);
    assert.equal(brief(v), want, value);
    assert.equal(v.reportedAs, reported, value);
    assert.match(v.reasons[0]!, reason, value);
  }
  // A documentation address stays public in form, with its class named after the deciding reason.
  assert.ok(
    classify(index, '192.0.2.200').reasons.includes('documentation address (192.0.2.0/24): documentation TEST-NET-1 (RFC 5737): never routed, test data'),
  );
});

test('an unlisted public address: the reason says what was consulted, not more', async () => {
  const nothing = classify(await loadIntel({}), '8.8.8.8');
  assert.equal(brief(nothing), 'suspicious/untrusted-public');
  assert.equal(nothing.reasons[0], 'public address: no trusted networks given; no AWS ranges loaded; no threat feed loaded');
  const some = classify(
    buildIntelIndex(
      [await loadFeed(fixture('drop.txt'))],
      parseTrusted(['version: 1', 'corporate:', '  - name: hq', '    cidrs: [198.51.100.0/28]', ''].join('\n')),
    ),
    '8.8.8.8',
  );
  assert.equal(some.reasons[0], 'public address: in none of 1 trusted network; no AWS ranges loaded; on none of 1 threat feed (drop)');
});
