import { TrailbookError } from '../errors.js';

/** An `s3://bucket/prefix` argument, split (the prefix may be empty: the whole bucket). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export function isS3Url(arg: string): boolean {
  return /^s3:\/\//i.test(arg);
}

/** Bucket names as S3 allows them (3-63 characters; dots for legacy names). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseS3Url(arg: string): S3Location {
  const rest = arg.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) {
    throw new TrailbookError('USAGE', `not an S3 bucket name: "${bucket}"`, {
      location: arg,
      hint: 'give s3://<bucket>/<prefix>, e.g. s3://my-trail-bucket/AWSLogs/',
    });
  }
  return { bucket, prefix };
}

/** The ledger and report name of an object: `s3://bucket/key`. */
export function s3Path(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
