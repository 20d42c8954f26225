/**
 * What a runbook's row conditions may name besides its steps' own columns: the columns the
 * engine adds to every row (investigate/enrich.ts fills them; this list is the format's promise,
 * printed in docs/runbook-format.md), and the columns of the built-in steps.
 */
export const ROW_COLUMNS = {
  step: 'the id of the step the row came from',
  evidence: "'cloudtrail' when `source_ref` is a CloudTrail eventID, 'flow' when it is a connection (`flow:…`), else null",
  caller_type: 'CloudTrail rows: userIdentity.type (IAMUser, AssumedRole, Root, AWSService…)',
  caller_arn: 'CloudTrail rows: the caller ARN (or the invoking service)',
  caller_key: 'CloudTrail rows: the access key id the call was signed with',
  caller_key_kind: "CloudTrail rows: 'long-term' (AKIA…), 'session' (ASIA…) or 'none'",
  caller_mfa: 'CloudTrail rows: whether the session was MFA-authenticated (null when CloudTrail does not say)',
  caller_via: "CloudTrail rows: 'api', 'console' or 'service' (an AWS service acting for the caller)",
  caller_issuer: 'CloudTrail rows: for an assumed role, the role that issued the session',
  caller_instance_credentials: "CloudTrail rows: true when the credentials are an EC2 instance profile's",
  caller_approved: 'CloudTrail rows: true when the trusted-networks file approves the caller principal',
  source_verdict:
    "rows with a source_ip: 'known', 'allowed' or 'suspicious' (threat intel, AWS ranges, trusted networks; an API caller is judged with its principal)",
  source_hostile: 'rows with a source_ip: true when a threat feed names the address (evidence, not mere absence from a list)',
  source_reasons: 'rows with a source_ip: the reasons for the verdict',
  source_is_address: 'rows with a source_ip: true for an IP address, false for a service name (`ec2.amazonaws.com`, `AWS Internal`)',
  party: "per finding: 'api-caller' or 'connection-peer' when the row's source_ip is a party of the finding, else null",
  credentials_row: "per finding: true on the row whose caller is the finding's `credentials`",
} as const;

export type RowColumn = keyof typeof ROW_COLUMNS;

/** The columns each built-in step's rows have, after the shared ones (investigate/steps.ts builds them; a test holds the two together). */
export const BUILTIN_STEP_COLUMNS = {
  exposures: [
    'change',
    'event_source',
    'access_key_id',
    'direction',
    'rule',
    'from_port',
    'to_port',
    'protocol',
    'internet_exposed',
    'default_egress',
    'error_code',
    'exposed_by',
    'why',
    'window_closed_at',
    'window_closed_by',
    'opens_window',
    'detail',
    'not_fronting',
  ],
  flows: [
    'exposed_by',
    'attribution',
    'attribution_reason',
    'direction',
    'accepted',
    'handshake',
    'bytes',
    'packets',
    'last_seen',
    'interface_id',
    'local',
    'remote',
    'detail',
  ],
  intel: ['value', 'verdict', 'rule', 'reasons'],
} as const;
