import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, type InflateRaw } from 'node:zlib';
import { fsReason } from '../sources/local.js';
import type { ByteSource } from '../sources/s3.js';
import { formatBytes } from './limits.js';

/**
 * One input file as a stream of decompressed chunks, in bounded memory whatever its size: the
 * file is read in 64 KiB pieces and gzip is inflated a 16 KiB slice at a time, so a gzip bomb
 * costs at most one slice's output (about 16 MB at deflate's maximum ratio) before it is stopped
 * at `maxBytes`. Used by every reader of CloudTrail and flow-log text (docs/limits.md).
 *
 * Gzip is read member by member (a header parsed here, the deflate data by zlib's raw inflater,
 * which says exactly where the data ended): concatenated members are one stream, zero padding
 * after the last member is ignored, and any other bytes after it are reported in
 * `info.trailing` while the members before them are kept. (Node's own gunzip throws on such
 * bytes and drops the output of the last slice it was given.)
 */
export type StreamFailureCode = 'unreadable' | 'not-a-regular-file' | 'truncated-gzip' | 'corrupt-gzip' | 'too-large';

export class FileStreamError extends Error {
  constructor(
    readonly code: StreamFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'FileStreamError';
  }
}

export interface StreamInfo {
  gzip: boolean;
  /** Bytes read from the file. */
  compressedBytes: number;
  /** Bytes handed out (after decompression). */
  decompressedBytes: number;
  /** Bytes after the last gzip member that are neither a member nor zero padding (not read). */
  trailing: { offset: number; bytes: number } | null;
}

export interface StreamOptions {
  /** Past this many decompressed bytes the stream fails with `too-large`. */
  maxBytes: number;
  /** Sees every raw chunk in file order (the content hash). */
  onRaw?: (chunk: Buffer) => void;
}

const READ_CHUNK = 64 * 1024;
const INFLATE_SLICE = 16 * 1024;
/** A gzip header longer than this (file name and comment fields) is not believed. */
const MAX_HEADER = 64 * 1024;

export function newStreamInfo(): StreamInfo {
  return { gzip: false, compressedBytes: 0, decompressedBytes: 0, trailing: null };
}

/**
 * The decompressed chunks of a file, or of any other source of raw bytes (an S3 object streamed by
 * sources/s3.ts: no copy on disk); throws `FileStreamError` with a typed reason.
 */
export async function* readDecompressed(input: string | ByteSource, options: StreamOptions, info: StreamInfo = newStreamInfo()): AsyncGenerator<Buffer> {
  const gunzip = new GzipMembers(options.maxBytes, info);
  const count = (chunk: Buffer): Buffer => {
    info.decompressedBytes += chunk.length;
    if (info.decompressedBytes > options.maxBytes) throw overLimit(options.maxBytes);
    return chunk;
  };
  try {
    let first = true;
    for await (const chunk of typeof input === 'string' ? fileChunks(input) : sourceChunks(input)) {
      info.compressedBytes += chunk.length;
      options.onRaw?.(chunk);
      if (first) {
        info.gzip = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
        first = false;
      }
      if (!info.gzip) yield count(chunk);
      else for await (const out of gunzip.feed(chunk)) yield out;
    }
    if (info.gzip) for await (const out of gunzip.finish()) yield out;
  } finally {
    gunzip.close();
  }
}

/** A local file's bytes in READ_CHUNK pieces. */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new FileStreamError('not-a-regular-file', 'not a regular file');
    }
  } catch (error) {
    if (error instanceof FileStreamError) throw error;
    throw new FileStreamError('unreadable', `cannot read: ${fsReason(error)}`);
  }
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(READ_CHUNK);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null));
      } catch (error) {
        throw new FileStreamError('unreadable', `cannot read: ${fsReason(error)}`);
      }
      if (bytesRead === 0) break;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A remote source's bytes; a failure to fetch them (its message names the object and the error code) is `unreadable`. */
async function* sourceChunks(source: ByteSource): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source.chunks()) yield chunk;
  } catch (error) {
    throw new FileStreamError('unreadable', `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function overLimit(maxBytes: number): FileStreamError {
  return new FileStreamError('too-large', `decompressed size over limit ${formatBytes(maxBytes)} (--max-file-bytes)`);
}

type Phase = 'header' | 'deflate' | 'trailer' | 'between' | 'garbage';

/** The gzip member state machine: raw bytes in, inflated chunks out. */
class GzipMembers {
  private phase: Phase = 'header';
  private pending: Buffer = Buffer.alloc(0);
  private inflater: InflateRaw | null = null;
  private fed = 0;
  private memberOut = 0;
  private members = 0;
  private offset = 0;
  private out: Buffer[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly maxBytes: number,
    private readonly info: StreamInfo,
  ) {}

  async *feed(chunk: Buffer): AsyncGenerator<Buffer> {
    let rest = chunk;
    while (rest.length > 0) {
      switch (this.phase) {
        case 'header':
          rest = this.header(rest);
          break;
        case 'deflate': {
          const slice = rest.subarray(0, INFLATE_SLICE);
          rest = rest.subarray(slice.length);
          const left = await this.inflate(slice);
          yield* this.drain();
          if (left !== null) rest = rest.length ? Buffer.concat([left, rest]) : left;
          break;
        }
        case 'trailer':
          rest = this.trailer(rest);
          break;
        case 'between':
          rest = this.between(rest);
          break;
        case 'garbage':
          this.info.trailing!.bytes += rest.length;
          this.offset += rest.length;
          rest = rest.subarray(rest.length);
          break;
      }
    }
  }

  async *finish(): AsyncGenerator<Buffer> {
    if (this.phase === 'deflate') {
      const inflater = this.inflater!;
      const ended = new Promise<void>((resolve) => inflater.once('end', resolve));
      inflater.end();
      await Promise.race([ended, new Promise<void>((resolve) => inflater.once('error', () => resolve()))]);
      yield* this.drain();
      throw truncated();
    }
    if (this.phase === 'header' && this.pending.length > 0) throw truncated();
    if (this.phase === 'trailer') throw truncated();
  }

  close(): void {
    this.inflater?.destroy();
    this.inflater = null;
  }

  private header(bytes: Buffer): Buffer {
    const data = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    const length = gzipHeaderLength(data);
    if (length === 'invalid') {
      if (this.members === 0) throw new FileStreamError('corrupt-gzip', 'gzip data is corrupt: not a gzip header');
      this.pending = Buffer.alloc(0);
      return this.startGarbage(data);
    }
    if (length === 'more') {
      if (data.length > MAX_HEADER) throw new FileStreamError('corrupt-gzip', 'gzip data is corrupt: header longer than 64 KiB');
      this.pending = Buffer.from(data);
      return bytes.subarray(bytes.length);
    }
    this.pending = Buffer.alloc(0);
    this.offset += length - (data.length - bytes.length);
    this.inflater = createInflateRaw();
    this.inflater.on('data', (chunk: Buffer) => {
      this.memberOut += chunk.length;
      this.info.decompressedBytes += chunk.length;
      // Over the limit: the rest of this slice's output is dropped as it comes (never held).
      if (this.info.decompressedBytes > this.maxBytes) this.failure ??= overLimit(this.maxBytes);
      if (this.failure === null) this.out.push(chunk);
    });
    this.inflater.on('error', (error: Error) => {
      this.failure ??= error;
    });
    this.fed = 0;
    this.memberOut = 0;
    this.phase = 'deflate';
    return data.subarray(length);
  }

  /** Writes one slice; returns the bytes after the member's deflate data when it ended in this slice, else null. */
  private async inflate(slice: Buffer): Promise<Buffer | null> {
    const inflater = this.inflater!;
    this.fed += slice.length;
    await new Promise<void>((resolve) => {
      if (inflater.destroyed) return resolve();
      // An inflate error may end the stream without calling the write back.
      const done = () => {
        inflater.off('error', done).off('close', done);
        resolve();
      };
      inflater.on('error', done).on('close', done);
      inflater.write(slice, done);
    });
    if (this.failure === null && inflater.bytesWritten < this.fed) {
      // The deflate data ended inside this slice: wait for its last output.
      if (!inflater.readableEnded) await new Promise<void>((resolve) => inflater.once('end', resolve));
    }
    // A failure is thrown by drain, after the output that came before it.
    if (this.failure !== null) return null;
    const consumed = inflater.bytesWritten;
    if (consumed >= this.fed) {
      this.offset += slice.length;
      return null;
    }
    const left = slice.subarray(slice.length - (this.fed - consumed));
    this.offset += slice.length - left.length;
    inflater.destroy();
    this.inflater = null;
    this.phase = 'trailer';
    return left;
  }

  private *drain(): Generator<Buffer> {
    const out = this.out;
    this.out = [];
    yield* out;
    this.throwFailure();
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure === null) return;
    if (failure instanceof FileStreamError) throw failure;
    const code = (failure as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(failure.message)) throw truncated();
    throw new FileStreamError('corrupt-gzip', `gzip data is corrupt: ${failure.message}`);
  }

  private trailer(bytes: Buffer): Buffer {
    const data = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    if (data.length < 8) {
      this.pending = Buffer.from(data);
      return bytes.subarray(bytes.length);
    }
    this.pending = Buffer.alloc(0);
    // ISIZE: the member's uncompressed size modulo 2^32.
    if (data.readUInt32LE(4) !== this.memberOut % 2 ** 32) throw new FileStreamError('corrupt-gzip', 'gzip data is corrupt: size check failed');
    this.offset += 8 - (data.length - bytes.length);
    this.members++;
    this.phase = 'between';
    return data.subarray(8);
  }

  /** After a member: zero padding, another member, or bytes that are neither. */
  private between(bytes: Buffer): Buffer {
    let i = 0;
    while (i < bytes.length && bytes[i] === 0) i++;
    this.offset += i;
    if (i === bytes.length) return bytes.subarray(i);
    if (bytes[i] === 0x1f) {
      this.phase = 'header';
      return bytes.subarray(i);
    }
    return this.startGarbage(bytes.subarray(i));
  }

  private startGarbage(bytes: Buffer): Buffer {
    this.info.trailing = { offset: this.offset, bytes: 0 };
    this.phase = 'garbage';
    return bytes;
  }
}

function truncated(): FileStreamError {
  return new FileStreamError('truncated-gzip', 'gzip stream ends early (truncated file, an interrupted download?)');
}

/** Length of the gzip header at the start of `data` (RFC 1952), 'more' when incomplete, 'invalid' when not one. */
function gzipHeaderLength(data: Buffer): number | 'more' | 'invalid' {
  if (data.length >= 1 && data[0] !== 0x1f) return 'invalid';
  if (data.length >= 2 && data[1] !== 0x8b) return 'invalid';
  if (data.length >= 3 && data[2] !== 8) return 'invalid'; // deflate is the only method
  if (data.length < 10) return 'more';
  const flags = data[3]!;
  if (flags & 0xe0) return 'invalid'; // reserved bits
  let at = 10;
  if (flags & 0x04) {
    if (data.length < at + 2) return 'more';
    at += 2 + data.readUInt16LE(at);
  }
  for (const flag of [0x08, 0x10]) {
    if (!(flags & flag)) continue;
    const end = data.indexOf(0, at);
    if (end < 0) return 'more';
    at = end + 1;
  }
  if (flags & 0x02) at += 2;
  return data.length < at ? 'more' : at;
}
