/**
 * The signals a decision tree may test: facts the investigation derives from a finding's
 * evidence (src/investigate/assemble.ts computes each). "Suspicious" is absence from every list
 * (the alarm); "hostile" is presence on a threat feed (evidence).
 */
export const SIGNALS = {
  internetExposed: 'an inbound path to the port from an internet-wide peer was opened (an egress rule never counts)',
  callerSuspicious: 'an API caller is suspicious (a public address on no trusted list, or on a threat feed)',
  callerHostile: 'an API caller is on a threat feed',
  peerSuspicious: 'a connection peer is suspicious',
  peerHostile: 'a connection peer is on a threat feed',
  acceptedExternal: 'a connection with a peer outside the trusted networks was accepted',
  acceptedHostile: 'a connection with a peer on a threat feed was accepted',
  approvedPrincipal: 'the first change was made by a principal the trusted file approves',
  instanceCredentialsOutside: "an EC2 instance's role credentials were used from an address that is not allowed",
  consoleWithoutMfa: 'a console session without MFA made the change',
  rootCaller: 'the root user made the change',
  callerCompromised: 'credentials behave like stolen ones: instance credentials used outside, or root or console without MFA from a suspicious address',
  trustedCaller: 'every caller is allowed (trusted network or approved principal) and used MFA, a role session or an AWS service: a known person or pipeline',
  outboundOnly: 'every change is an egress rule or outbound ACL entry: an outbound path only',
  defaultEgressOnly: 'every opening change is the default egress rule (all traffic to anywhere)',
} as const;

export type SignalName = keyof typeof SIGNALS;

/**
 * The finding fields of the report contract (DESIGN.md §5) that decision conditions may test.
 * The linter warns about a condition on any other field: a typo there would silently make a
 * rule never fire. Extend this list when the contract grows.
 */
export const FINDING_FIELDS: readonly string[] = [
  'id',
  'kind',
  'title',
  'eventIds[]',
  'firstSeen',
  'lastSeen',
  'direction',
  'eventSources[]',
  'credentials',
  'credentials.identityType',
  'credentials.arn',
  'credentials.accessKeyId',
  'credentials.keyKind',
  'credentials.mfa',
  'credentials.via',
  'sources[]',
  'sources[].ip',
  'sources[].verdict',
  'sources[].reasons[]',
  'flows',
  'flows.connections',
  'flows.acceptedConnections',
  'flows.bytes',
  'flows.externalPeers',
  // Facts derived from the evidence by the investigation (src/investigate/assemble.ts).
  ...Object.keys(SIGNALS).map((name) => `signals.${name}`),
];

/** True when the path (with or without `[]` on arrays) names a contract field or a prefix of one. */
export function isKnownFindingField(path: string, known: readonly string[] = FINDING_FIELDS): boolean {
  const bare = (p: string) => p.replaceAll('[]', '');
  const wanted = bare(path);
  return known.some((field) => bare(field) === wanted);
}
