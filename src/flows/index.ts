/**
 * Flow records → connections; direction; handshake vs probe; overlay on exposure windows.
 * Addresses and CIDRs: `src/net` (flows' presets in `./cidr.js`, internal; `parseCidr`/`Cidr`
 * of the `ports` barrel are EC2 rule CIDRs).
 */
export * from './connections.js';
export * from './find.js';
export * from './overlay.js';
export * from './exposure-windows.js';
