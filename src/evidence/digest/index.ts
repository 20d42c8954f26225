/**
 * CloudTrail's own proof, checked offline: digest signatures, the digest chain and each log
 * file's SHA-256 (docs/evidence.md, "CloudTrail's own proof"). The evidence bundle calls
 * `validateLogFiles` to state whether each source file was digest-validated.
 */
export { validateLogFiles, type ValidateOptions } from './validate.js';
export { loadPublicKeys, parsePublicKeys, type PublicKeys, type PublicKeyEntry } from './public-keys.js';
export { loadSignatureMap, SIDECAR_SUFFIX, type SignatureMap } from './signatures.js';
export { parseDigest, signingString, type DigestDocument, type ParsedDigest } from './digest-file.js';
export { renderIntegrityText } from './render.js';
export type { DigestResult, DigestStatus, IntegrityReport, LogFileResult, LogFileStatus, Problem, ProblemCode } from './types.js';
