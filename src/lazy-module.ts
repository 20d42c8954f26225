import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package loaded on first use instead of at start-up. The AWS SDK's S3 client, credential chain
 * and signer cost ~0.15–0.2 s of every command's start-up when imported at the top, and most runs
 * (a warm `investigate` on the local store) never reach S3 or Athena. The packages ship CommonJS
 * builds, so loading one later is a synchronous `require` and the callers stay as they were.
 */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
