import type { S3Client } from '@aws-sdk/client-s3';
import { lazyModule } from '../lazy-module.js';

/** Loaded when a client is made: commands that never reach S3 do not pay for the SDK at start-up. */
export const s3Sdk = lazyModule<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');

/**
 * How to reach S3, as plain data (the CLI's `--profile` and `--aws-region`; the rest comes from the
 * standard chain: AWS_* variables, ~/.aws/config and credentials, SSO, IMDS).
 */
export interface S3Settings {
  profile?: string;
  region?: string;
}

/**
 * Attempts per request: SlowDown (503), 500s and throttling are retried by the SDK's standard
 * retry strategy (exponential backoff with jitter) before the error reaches trailbook.
 */
export const S3_MAX_ATTEMPTS = 6;

/**
 * An S3 client for the settings. The SDK reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL itself (an
 * S3-compatible store, or moto in the tests); with an endpoint set, path-style addressing is used,
 * since such stores rarely serve `bucket.host` names. A bucket in another region than the
 * client's is followed (`followRegionRedirects`), so `--aws-region` is rarely needed.
 */
export function createS3Client(settings: S3Settings = {}): S3Client {
  const endpoint = process.env['AWS_ENDPOINT_URL_S3'] ?? process.env['AWS_ENDPOINT_URL'];
  return new (s3Sdk().S3Client)({
    ...(settings.profile ? { profile: settings.profile } : {}),
    region: settings.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? (settings.profile ? undefined : 'us-east-1'),
    maxAttempts: S3_MAX_ATTEMPTS,
    forcePathStyle: endpoint !== undefined,
    followRegionRedirects: true,
  });
}
