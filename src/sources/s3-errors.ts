import { TrailbookError } from '../errors.js';

/** What S3 (or the credential chain) said, read off an SDK error. */
export interface S3Failure {
  code: string;
  message: string;
  status: number | undefined;
}

export function s3Failure(error: unknown): S3Failure {
  const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  let code = e?.Code ?? e?.name ?? 'Error';
  // Some errors come back without a body (HEAD-like answers): name them by status.
  if (code === 'Unknown' || code === 'UnknownError' || code === 'S3ServiceException')
    code = status === 404 ? 'NotFound' : status === 403 ? 'AccessDenied' : `HTTP ${status ?? '?'}`;
  return { code, message: String(e?.message ?? error).split('\n')[0] ?? '', status };
}

const CREDENTIALS =
  /CredentialsProviderError|Could not load credentials|Unable to locate credentials|ExpiredToken|InvalidAccessKeyId|SignatureDoesNotMatch|profile .* could not be found/i;

/** Why trailbook cannot go on with an S3 location, as an INPUT error naming the bucket, the key and the code. */
export function s3Error(error: unknown, where: { operation: string; bucket: string; key?: string }): TrailbookError {
  const failure = s3Failure(error);
  const location = `s3://${where.bucket}/${where.key ?? ''}`;
  // Keys are attacker-influenced text: the CLI edge (cli/output.ts) escapes messages for the terminal.
  const said = `${failure.code}: ${failure.message}`;
  if (CREDENTIALS.test(failure.code) || CREDENTIALS.test(failure.message)) {
    return new TrailbookError('INPUT', `no usable AWS credentials for ${where.operation} on bucket ${where.bucket} (${said})`, {
      location,
      hint: 'give --profile <name> (a profile of ~/.aws/config), run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
      cause: error,
    });
  }
  const hints: Record<string, string> = {
    NoSuchBucket: `there is no bucket named ${where.bucket} (check the name; an S3-compatible store needs AWS_ENDPOINT_URL)`,
    AccessDenied: `the credentials in use may not ${where.operation === 'ListObjectsV2' ? 's3:ListBucket on the bucket' : 's3:GetObject on the key (or kms:Decrypt on its key)'}; try --profile`,
    NoSuchKey: 'the object was deleted after it was listed; run again',
    SlowDown: `S3 asked to slow down and the SDK retried; run again later (a re-run fetches only what is missing)`,
  };
  return new TrailbookError('INPUT', `S3 ${where.operation} on bucket ${where.bucket}${where.key ? `, key ${where.key}` : ''} failed: ${said}`, {
    location,
    hint: hints[failure.code],
    cause: error,
  });
}
