import { TrailbookError } from '../../errors.js';
import { AthenaEngine, DEFAULT_CATALOG, DEFAULT_DATABASE } from './engine.js';

/** What `--engine athena` needs, as the CLI's flags give it; everything else comes from the environment. */
export interface AthenaSettings {
  workgroup?: string;
  outputLocation?: string;
  database?: string;
  catalog?: string;
  region?: string;
  profile?: string;
  /** Days of history before the window; null: the whole trail (AthenaEngineOptions.historyDays). */
  historyDays?: number | null;
  signal?: AbortSignal;
}

/**
 * The Athena engine for a command: the region from the flag, else AWS_REGION / AWS_DEFAULT_REGION
 * (the SDK's own variables); the endpoint from AWS_ENDPOINT_URL_ATHENA, else AWS_ENDPOINT_URL (the
 * SDK's service-specific then global override: moto, a VPC endpoint); credentials from the
 * standard chain, `--profile` choosing a shared-config profile.
 */
export function openAthena(settings: AthenaSettings, env: NodeJS.ProcessEnv = process.env): AthenaEngine {
  const region = settings.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!region) throw new TrailbookError('USAGE', '--engine athena needs a region', { hint: 'give --region, or set AWS_REGION' });
  if (settings.outputLocation !== undefined && !/^s3:\/\/[^/\s]+(\/.*)?$/.test(settings.outputLocation)) {
    throw new TrailbookError('USAGE', `--athena-output must be an s3:// URL, got ${settings.outputLocation}`);
  }
  return new AthenaEngine({
    region,
    endpoint: env['AWS_ENDPOINT_URL_ATHENA'] ?? env['AWS_ENDPOINT_URL'] ?? undefined,
    profile: settings.profile ?? env['AWS_PROFILE'],
    workgroup: settings.workgroup,
    outputLocation: settings.outputLocation,
    database: settings.database,
    catalog: settings.catalog,
    ...(settings.historyDays === undefined ? {} : { historyDays: settings.historyDays }),
    signal: settings.signal,
  });
}

/** One line per run for stderr: what Athena scanned and what that costs (docs/athena.md, "Costs"). */
export function costLine(engine: AthenaEngine): string {
  const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  const billed = engine.stats.reduce((sum, s) => sum + s.billedBytes, 0);
  return `athena: ${engine.stats.length} ${engine.stats.length === 1 ? 'query' : 'queries'}, scanned ${mb(engine.totalScannedBytes)} MB, billed ${mb(billed)} MB, about $${engine.totalCostUsd.toFixed(6)}`;
}

/** Where an Athena run read the logs, for the report's inputs (`EngineInput`; the defaults the engine applies, named). */
export function athenaInput(engine: AthenaEngine) {
  return {
    name: 'athena' as const,
    catalog: engine.options.catalog ?? DEFAULT_CATALOG,
    database: engine.options.database ?? DEFAULT_DATABASE,
    workgroup: engine.options.workgroup ?? null,
  };
}
