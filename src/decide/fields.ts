/**
 * The finding fields of the report contract that decision conditions may test, besides the
 * runbook's own `signals.<name>`. The linter warns about a condition on any other field: a typo
 * there would silently make a rule never fire. Extend this list when the contract grows.
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
  'label',
  // The number of the finding's evidence rows.
  'rows',
];

/** True when the path (with or without `[]` on arrays) names a contract field or a prefix of one. */
export function isKnownFindingField(path: string, known: readonly string[] = FINDING_FIELDS): boolean {
  const bare = (p: string) => p.replaceAll('[]', '');
  const wanted = bare(path);
  return known.some((field) => bare(field) === wanted);
}
