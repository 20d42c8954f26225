import { parentPort } from 'node:worker_threads';
import { processFileJob, type FileJob } from './file-job.js';

/** Worker thread of the decode pool: one FileJob in, one FileOutcome out (buffers transferred, not copied). */
let queue: Promise<void> = Promise.resolve();
// Jobs run one after another (each streams its file): the read-ahead queues here, never half-read files.
parentPort?.on('message', (message: { id: number; job: FileJob }) => {
  queue = queue.then(() => run(message)).catch(() => {});
});

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
