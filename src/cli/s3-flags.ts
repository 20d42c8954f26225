import type { Command } from 'commander';
import { S3Source } from '../sources/s3.js';
import { isS3Url } from '../sources/s3-url.js';

/** The flags of commands that read `s3://` locations (docs/s3.md), shared by `ingest`, `investigate` and `run`. */
export interface S3Flags {
  profile?: string;
  awsRegion?: string;
}

export function addS3Options(command: Command): Command {
  return command
    .option('--profile <name>', 'for s3:// paths and --engine athena: the AWS profile (~/.aws/config) whose credentials to use (default: the standard chain)')
    .option('--aws-region <name>', 'for s3:// paths: the S3 client region (default: AWS_REGION or the profile; a bucket elsewhere is followed)');
}

/**
 * The S3 source for the run, only when a path is an `s3://` location (no AWS configuration is read
 * otherwise), with each location probed: a missing bucket, a refusal or missing credentials stop
 * the command before a store is opened or made.
 */
export async function s3SourceFor(paths: readonly string[], flags: S3Flags, probe: { emptyIsError?: boolean } = {}): Promise<S3Source | undefined> {
  const urls = paths.filter(isS3Url);
  if (urls.length === 0) return undefined;
  const source = S3Source.create({ profile: flags.profile, region: flags.awsRegion });
  await source.probe(urls, probe);
  return source;
}
