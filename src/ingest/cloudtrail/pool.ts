import { Worker } from 'node:worker_threads';
import type { ByteSource, S3ObjectRef } from '../../sources/s3.js';
import { processFileJob, type FileJob, type FileOutcome } from './file-job.js';

/**
 * Runs FileJobs on worker threads (or in-process when `size` is 0). Results come back as promises;
 * the caller consumes them in file order, so nothing depends on which worker finished first.
 */
export interface DecodePool {
  run(job: FileJob): Promise<FileOutcome>;
  close(): Promise<void>;
}

export function createDecodePool(size: number): DecodePool {
  if (size <= 0) {
    let chain: Promise<void> = Promise.resolve();
    return {
      // One job at a time, in submission order, as a worker does: at most one file half-read.
      run: (job) => {
        const outcome = chain.then(() => processFileJob(job));
        chain = outcome.then(
          () => {},
          () => {},
        );
        return outcome;
      },
      close: async () => {},
    };
  }
  // Under tsx (tests) this module is .ts and so is its worker; built, both are .js.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`./decode-worker${extension}`, import.meta.url);
  interface Slot {
    worker: Worker;
    pending: Map<number, { resolve: (o: FileOutcome) => void; reject: (e: Error) => void }>;
  }
  const slots: Slot[] = [];
  let nextId = 0;
  let closing = false;
  const spawn = (slot: Slot) => {
    // Under tsx the worker needs the TypeScript loader registered in its own thread.
    const worker =
      extension === '.ts'
        ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true })
        : new Worker(url);
    slot.worker = worker;
    worker.on('message', (message: { id: number; outcome?: FileOutcome; error?: string }) => {
      const waiter = slot.pending.get(message.id);
      if (!waiter) return;
      slot.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`decode worker: ${message.error}`));
      else waiter.resolve(message.outcome!);
    });
    // A worker that dies fails only the jobs it held (each file's own skip); a fresh one takes its place.
    const fail = (error: Error) => {
      if (slot.worker !== worker) return;
      for (const waiter of slot.pending.values()) waiter.reject(error);
      slot.pending.clear();
      if (!closing) spawn(slot);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`decode worker exited with code ${code}`)));
  };
  for (let i = 0; i < size; i++) {
    const slot = { pending: new Map() } as Slot;
    spawn(slot);
    slots.push(slot);
  }
  return {
    run(job) {
      let slot = slots[0]!;
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const id = nextId++;
      return new Promise<FileOutcome>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, job });
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * Runs the jobs of S3 objects in this thread, up to `concurrency` at once: each is mostly waiting
 * on the network (GetObject streamed through gunzip into the decoder as it arrives), so several
 * run together; the driver still takes the results in file order.
 */
export function createS3DecodePool(concurrency: number, open: (ref: S3ObjectRef) => ByteSource): DecodePool {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(job) {
      if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      running++;
      try {
        return await processFileJob(job, undefined, open);
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
    close: async () => {},
  };
}
