import { closeSync, createWriteStream, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

/**
 * Large inputs for the memory-bound test, generated in seconds (never committed): a CloudTrail
 * file in the S3 delivery shape, one line, and a gzip bomb of one huge record.
 */
export function writeLargeCloudTrailFile(path: string, events: number): number {
  const fd = openSync(path, 'w');
  let pending = '{"Records":[';
  let bytes = 0;
  const flush = () => {
    writeSync(fd, pending);
    bytes += Buffer.byteLength(pending);
    pending = '';
  };
  for (let i = 0; i < events; i++) {
    const second = String(i % 60).padStart(2, '0');
    const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
    pending +=
      (i ? ',' : '') +
      `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE${i}","userName":"alice"},` +
      `"eventTime":"2024-05-01T10:${minute}:${second}Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0",` +
      `"requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"requestID":"req-${i}","eventID":"00000000-0000-4000-8000-${String(i).padStart(12, '0')}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`;
    if (pending.length > 1 << 20) flush();
  }
  pending += ']}';
  flush();
  closeSync(fd);
  return bytes;
}

/** `decompressedBytes` of one JSON string inside a CloudTrail record, gzipped (a few hundred KB on disk). */
export async function writeGzipBomb(path: string, decompressedBytes: number): Promise<void> {
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(path);
  const done = once(out, 'finish');
  gzip.pipe(out);
  gzip.write('{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventID":"bomb","requestParameters":{"userData":"');
  const piece = Buffer.alloc(1 << 20, 'a');
  for (let written = 0; written < decompressedBytes; written += piece.length) {
    if (!gzip.write(piece)) await once(gzip, 'drain');
  }
  gzip.end('"}}]}');
  await done;
}
