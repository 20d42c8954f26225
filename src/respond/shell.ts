/**
 * Values for AWS CLI commands, from logs an attacker can write into: each value must have the
 * shape AWS gives that kind of identifier (else it is refused, never printed), and every word of
 * a command is quoted for a POSIX shell (single quotes; a quote inside is closed, escaped and
 * reopened). Pure.
 */

/** A kind of value a command takes, and the shape AWS gives it. */
export const SHAPES = {
  'security-group-id': /^sg-[0-9a-f]{8,17}$/,
  'security-group-rule-id': /^sgr-[0-9a-f]{8,17}$/,
  'network-acl-id': /^acl-[0-9a-f]{8,17}$/,
  'prefix-list-id': /^pl-[0-9a-f]{8,17}$/,
  'instance-id': /^i-[0-9a-f]{8,17}$/,
  'access-key-id': /^(AKIA|ASIA)[A-Z0-9]{12,124}$/,
  'account-id': /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  /** IAM user and role names (the IAM API's pattern for them). */
  'iam-name': /^[\w+=,.@-]{1,128}$/,
  'iam-path': /^\/([\x21-\x7e]*\/)?$/,
  'elbv2-listener-arn':
    /^arn:aws(-[a-z]+)*:elasticloadbalancing:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:listener\/(app|net|gwy)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  'ipv4-cidr': /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/,
  'ipv6-cidr': /^[0-9a-fA-F:]{2,39}\/(12[0-8]|1[01]\d|[1-9]?\d)$/,
  /** What the EC2 API takes as IpProtocol: a name or a number (-1 = all). */
  'ip-protocol': /^(tcp|udp|icmp|icmpv6|-1|\d{1,3})$/,
  'nacl-rule-number': /^\d{1,5}$/,
} as const;

export type Shape = keyof typeof SHAPES;

/** Whether a value has the shape; a non-string never has. */
export function hasShape(value: unknown, shape: Shape): value is string {
  return typeof value === 'string' && value.length <= 2048 && SHAPES[shape].test(value);
}

/** Words that need no quotes in any POSIX shell. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word for a POSIX shell: as it is when plain, else single-quoted with each `'` as `'\''`. */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** An argument vector as one shell command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
