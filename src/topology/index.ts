/** What CloudTrail says about the estate's shape: interface ↔ group membership and placement. */
export * from './membership.js';
export * from './find.js';
