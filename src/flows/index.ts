/** Flow records → connections; direction; handshake vs probe; overlay on exposure windows. */
export * from './cidr.js';
export * from './connections.js';
export * from './find.js';
export * from './overlay.js';
export * from './exposure-windows.js';
