import { parentPort } from 'node:worker_threads';
import { processFileJob, type FileJob } from './file-job.js';

/** Worker thread of the decode pool: one FileJob in, one FileOutcome out (buffers transferred, not copied). */

/**
 * Jobs a worker streams at once; the rest of the read-ahead queues here, never half-read. Two: a
 * small file's time is mostly waits (open, stat, reads, close, each a trip to libuv's thread pool),
 * which a second file's work fills (3,360 flow-log files: 3.2 s → 2.5 s for 1M records, 2.1 s →
 * 1.8 s for 100k; four gained nothing more). Large CloudTrail files are work, not waits: the same
 * either way (1M events, 11.8 s and 12.2 s). Each job holds at most one part of packed rows.
 */
const JOBS_AT_ONCE = 2;
let running = 0;
const waiting: { id: number; job: FileJob }[] = [];

parentPort?.on('message', (message: { id: number; job: FileJob }) => {
  waiting.push(message);
  startWaiting();
});

function startWaiting(): void {
  while (running < JOBS_AT_ONCE && waiting.length > 0) {
    const message = waiting.shift()!;
    running++;
    void run(message).finally(() => {
      running--;
      startWaiting();
    });
  }
}

async function run(message: { id: number; job: FileJob }): Promise<void> {
  try {
    const outcome = await processFileJob(message.job);
    const transfer: ArrayBuffer[] = [];
    if (outcome.kind === 'read') {
      // Small buffers live in Node's shared pool slab: copy them out before transferring.
      if (outcome.packed.byteOffset !== 0 || outcome.packed.byteLength !== outcome.packed.buffer.byteLength) {
        outcome.packed = new Uint8Array(outcome.packed);
      }
      transfer.push(outcome.packed.buffer as ArrayBuffer, outcome.keyHashes.buffer as ArrayBuffer);
    }
    if (outcome.kind === 'clean') transfer.push(outcome.keyHashes.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: message.id, outcome }, transfer);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
  }
}
