/** Port, protocol and CIDR semantics over CloudTrail config events (see docs/port-semantics.md). */
export * from './protocol.js';
export * from './ports.js';
export * from './cidr.js';
export * from './peer.js';
export * from './rule.js';
export * from './change.js';
export * from './windows.js';
export * from './acl-windows.js';
export * from './normalize/index.js';
export * from './query.js';
export { normalizeCandidates, type NormalizedEvent } from './candidates.js';
export * from './unmodelled.js';
