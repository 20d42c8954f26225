import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { SignatureV4 } from '@smithy/signature-v4';
import { lazyModule } from '../../lazy-module.js';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';
import { TrailbookError } from '../../errors.js';

/**
 * A small typed Athena client: the four operations the engine needs, spoken as AWS JSON 1.1
 * (`POST /`, `X-Amz-Target: AmazonAthena.<Operation>`) and signed with SigV4 by the SDK's own
 * signer, credentials from the SDK's standard chain (environment, `--profile`/shared files, SSO,
 * web identity, container and instance roles). `@aws-sdk/client-athena` is not a dependency;
 * this file is the whole of what trailbook uses of it (docs/athena.md).
 */
export interface AthenaClientOptions {
  region: string;
  /** `AWS_ENDPOINT_URL_ATHENA`/`AWS_ENDPOINT_URL` when set (moto, a VPC endpoint); else Athena's regional endpoint. */
  endpoint?: string;
  profile?: string;
  /** Fixed credentials (tests); otherwise the standard chain. */
  credentials?: AwsCredentialIdentity;
}

export interface ColumnInfo {
  Name: string;
  Type: string;
}

export interface Datum {
  VarCharValue?: string;
}

export interface ResultPage {
  ResultSet: { Rows?: { Data?: Datum[] }[]; ResultSetMetadata?: { ColumnInfo?: ColumnInfo[] } };
  NextToken?: string;
}

export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface QueryExecution {
  QueryExecutionId: string;
  /** DML (SELECT…), DDL, UTILITY. */
  StatementType?: string;
  /** As sent (moto and Athena echo them back). */
  ExecutionParameters?: string[];
  Query?: string;
  Status: { State: QueryState; StateChangeReason?: string; AthenaError?: { ErrorMessage?: string; ErrorType?: number } };
  Statistics?: { DataScannedInBytes?: number; EngineExecutionTimeInMillis?: number; TotalExecutionTimeInMillis?: number };
}

export interface StartQueryInput {
  QueryString: string;
  WorkGroup?: string;
  QueryExecutionContext?: { Database?: string; Catalog?: string };
  ResultConfiguration?: { OutputLocation?: string };
  /** Positional `?` values, each the SQL literal text Athena substitutes (strings quoted). */
  ExecutionParameters?: string[];
  ClientRequestToken?: string;
}

/** Node's hash as the SDK's Checksum (no @aws-crypto package needed). */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data as ArrayBuffer);
}

/** Loaded when a client is made: commands that never reach Athena do not pay for them at start-up. */
const credentialChain = lazyModule<typeof import('@aws-sdk/credential-provider-node')>('@aws-sdk/credential-provider-node');
const signing = lazyModule<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');

export class AthenaClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(readonly options: AthenaClientOptions) {
    this.url = new URL(options.endpoint ?? `https://athena.${options.region}.amazonaws.com/`);
    this.signer = new (signing().SignatureV4)({
      service: 'athena',
      region: options.region,
      credentials: options.credentials ?? credentialChain().defaultProvider(options.profile ? { profile: options.profile } : {}),
      sha256: NodeSha256,
    });
  }

  startQueryExecution(input: StartQueryInput, signal?: AbortSignal): Promise<{ QueryExecutionId: string }> {
    return this.call('StartQueryExecution', input, signal);
  }

  async getQueryExecution(queryExecutionId: string, signal?: AbortSignal): Promise<QueryExecution> {
    const out = await this.call<{ QueryExecution: QueryExecution }>('GetQueryExecution', { QueryExecutionId: queryExecutionId }, signal);
    return out.QueryExecution;
  }

  getQueryResults(queryExecutionId: string, nextToken?: string, signal?: AbortSignal): Promise<ResultPage> {
    return this.call('GetQueryResults', { QueryExecutionId: queryExecutionId, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) }, signal);
  }

  async stopQueryExecution(queryExecutionId: string): Promise<void> {
    await this.call('StopQueryExecution', { QueryExecutionId: queryExecutionId });
  }

  /**
   * One signed JSON 1.1 call; throttling and server errors are retried (3 times, 100 ms doubling:
   * StartQueryExecution is safe to repeat, its client request token makes it idempotent). An AWS
   * error becomes a TrailbookError naming the operation and Athena's error code.
   */
  private async call<T>(operation: string, input: object, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(operation, input, signal);
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : {}) as T;
      const error = athenaError(operation, response.status, text, response.headers.get('x-amzn-errortype'));
      const retryable = response.status >= 500 || RETRYABLE.test(error.message);
      if (!retryable || attempt === RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      if (signal?.aborted) throw error;
    }
  }

  private async send(operation: string, input: object, signal?: AbortSignal): Promise<Response> {
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: this.url.pathname || '/',
      query: {},
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AmazonAthena.${operation}`,
      },
      body,
    });
    try {
      return await fetch(this.url, { method: 'POST', headers: signed.headers, body, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new TrailbookError('INPUT', `Athena ${operation}: cannot reach ${this.url.origin}: ${(error as Error).message}`, {
        hint: 'check the region, AWS_ENDPOINT_URL and the network',
        cause: error,
      });
    }
  }
}

const RETRIES = 3;
const RETRYABLE = /failed: (TooManyRequestsException|ThrottlingException|ThrottledException|InternalServerException|ServiceUnavailable)/;

/** Error codes the caller can do something about, with what. */
const HINTS: Record<string, string> = {
  AccessDeniedException:
    'the credentials may not call Athena here: athena:StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution, and S3 on the output location',
  UnrecognizedClientException: 'the credentials are not valid: check AWS_PROFILE / --profile, or the access keys',
  InvalidSignatureException: 'the credentials or the region do not match',
  ExpiredTokenException: 'the session has expired: log in again (aws sso login) or refresh the keys',
  InvalidRequestException: 'check --athena-workgroup, --athena-output and --athena-database',
  TooManyRequestsException: 'Athena is throttling: wait and retry, or lower the concurrency of the workgroup',
};

export function athenaError(operation: string, status: number, body: string, typeHeader: string | null): TrailbookError {
  let parsed: { __type?: string; message?: string; Message?: string; AthenaErrorCode?: string } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // not JSON: keep the status and the text
  }
  // `__type` may be `namespace#Code`; the header form may carry `:reason` after the code.
  const code = (parsed.__type ?? typeHeader ?? `HTTP ${status}`).split('#').pop()!.split(':')[0]!;
  const message = parsed.message ?? parsed.Message ?? body.slice(0, 300);
  const detail = parsed.AthenaErrorCode ? ` (${parsed.AthenaErrorCode})` : '';
  const kind = code === 'InvalidRequestException' && /syntax|mismatched input|cannot be resolved|not registered/i.test(message) ? 'SQL' : 'INPUT';
  return new TrailbookError(kind, `Athena ${operation} failed: ${code}${detail}: ${message}`, { hint: HINTS[code] });
}
