import { open } from 'node:fs/promises';
import type { DuckDBEngine } from '../../engines/duckdb/engine.js';
import { TrailbookError } from '../../errors.js';
import { FileStreamError, newStreamInfo, readDecompressed } from '../file-stream.js';
import { formatBytes, resolveLimits, type IngestLimits } from '../limits.js';
import type { FlowRecord } from '../../store/vpcflow-fields.js';
import type { ByteSource } from '../../sources/s3.js';
import { FlowLogParser, type FlowReadStats, type ParserOptions } from './parser.js';

export type FlowFileFormat = 'text' | 'gzip' | 'parquet';

export interface ReadFlowOptions extends ParserOptions {
  /** Records per yielded batch. Default 50,000. */
  batchSize?: number;
  /** Needed for Parquet files (read with DuckDB `read_parquet`). */
  engine?: DuckDBEngine;
  /** Force a container format instead of sniffing the first bytes. */
  format?: FlowFileFormat;
  /** `maxFileBytes` (decompressed) and `maxRecordBytes` (one line) apply; see docs/limits.md. */
  limits?: Partial<IngestLimits>;
  /** Read these bytes (an S3 object, streamed) instead of the file at the path; text or gzip only. */
  source?: ByteSource;
}

const DEFAULT_BATCH = 50_000;

/**
 * One flow-log file, read as batches of records. Iterate it once; afterwards `stats` is final
 * (it is filled in while reading). Text, gzip (by magic bytes, whatever the extension) and
 * Parquet (magic `PAR1`, needs `options.engine`) are read; text may be AWS's S3 delivery (header
 * line), a CloudWatch Logs export (one record per line, optional ISO timestamp prefix) or JSON
 * lines with a `message` field.
 *
 * A file that cannot be opened, or a compressed stream that breaks (truncated .gz), throws a
 * TrailbookError('INPUT') with the path as location; the batches yielded before it stand and
 * `stats` counts the lines read so far.
 */
export class FlowLogFile implements AsyncIterable<FlowRecord[]> {
  private readonly parser: FlowLogParser;
  private container: FlowFileFormat | null = null;
  private consumed = false;

  constructor(
    readonly path: string,
    private readonly options: ReadFlowOptions = {},
  ) {
    this.parser = new FlowLogParser(options);
  }

  /** Counts so far; final once iteration has finished. */
  get stats(): FlowReadStats {
    return this.parser.stats;
  }

  /** The container format read (null before iteration starts). */
  get format(): FlowFileFormat | null {
    return this.container;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FlowRecord[]> {
    if (this.consumed) throw new Error(`FlowLogFile ${this.path} can be iterated only once`);
    this.consumed = true;
    const source = this.options.source;
    // A streamed source is gzip or text by its first bytes (file-stream.ts); Parquet needs a local file.
    const format = this.options.format ?? (source ? (/\.parquet$/i.test(this.path) ? 'parquet' : 'text') : await sniffFlowFormat(this.path));
    if (format === 'parquet' && source) {
      throw new TrailbookError('INPUT', 'Parquet flow logs are read from local files only', {
        location: this.path,
        hint: `copy it first: aws s3 cp ${this.path} .`,
      });
    }
    this.container = format;
    if (format === 'parquet') yield* this.parquet();
    else yield* this.text(format === 'gzip');
  }

  /**
   * Text and gzip, streamed (file-stream.ts): lines are split here, a line longer than
   * `maxRecordBytes` is a bad line never held whole, and bytes after the last gzip member are one
   * more bad line; a file over `maxFileBytes` or a broken stream throws.
   */
  private async *text(gzip: boolean): AsyncGenerator<FlowRecord[]> {
    const size = this.options.batchSize ?? DEFAULT_BATCH;
    const limits = resolveLimits(this.options.limits);
    const info = newStreamInfo();
    const lines = new LineSplitter(limits.maxRecordBytes);
    const batch: FlowRecord[] = [];
    const take = (line: string | number) => {
      const record =
        typeof line === 'number'
          ? this.parser.skipLine(`line of ${line} bytes is over limit ${formatBytes(limits.maxRecordBytes)} (--max-record-bytes)`)
          : this.parser.parseLine(line);
      if (record) batch.push(record);
    };
    try {
      for await (const chunk of readDecompressed(this.options.source ?? this.path, { maxBytes: limits.maxFileBytes }, info)) {
        lines.push(chunk, take);
        while (batch.length >= size) yield batch.splice(0, size);
      }
      lines.end(take);
      while (batch.length >= size) yield batch.splice(0, size);
    } catch (error) {
      if (!(error instanceof FileStreamError)) throw error;
      throw new TrailbookError('INPUT', `cannot read flow log: ${error.message}`, {
        location: `${this.path}:${this.parser.stats.lines + 1}`,
        hint: gzip && error.code !== 'too-large' ? 'the gzip stream is damaged or truncated; the lines before this point were read' : undefined,
        cause: error,
      });
    }
    if (info.trailing) this.parser.skipLine(`${info.trailing.bytes} bytes after the last gzip member (at byte ${info.trailing.offset}) are not gzip data`);
    if (batch.length) yield batch;
  }

  private async *parquet(): AsyncGenerator<FlowRecord[]> {
    const engine = this.options.engine;
    if (!engine) {
      throw new TrailbookError('USAGE', 'reading a Parquet flow log needs the DuckDB engine', {
        location: this.path,
        hint: 'pass { engine } to readFlowLogFile',
      });
    }
    const size = this.options.batchSize ?? DEFAULT_BATCH;
    let batch: FlowRecord[] = [];
    let stream;
    try {
      stream = await engine.connection.stream('SELECT * FROM read_parquet($path)', { path: this.path });
    } catch (error) {
      throw new TrailbookError('INPUT', `cannot read Parquet flow log: ${(error as Error).message}`, { location: this.path, cause: error });
    }
    let seen = 0;
    for await (const rows of stream.yieldRowObjectJs()) {
      seen += rows.length;
      for (const row of rows) {
        const record = this.parser.parseRow(row as Record<string, unknown>);
        if (record) {
          batch.push(record);
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
      }
    }
    if (batch.length) yield batch;
    await this.requireWholeParquet(engine, seen);
  }

  /**
   * DuckDB's streamed results end quietly when reading fails part-way (a damaged row group: the
   * C API's fetch returns no chunk and the error is not raised through the stream), so a short
   * read is found by counting: the rows seen against the row count in the file's footer. The
   * reason is DuckDB's own, from reading the file again whole; as with a truncated .gz, the rows
   * before the damage were read.
   */
  private async requireWholeParquet(engine: DuckDBEngine, seen: number): Promise<void> {
    const { rows } = await engine.all('SELECT num_rows FROM parquet_file_metadata($path)', { path: this.path });
    const expected = Number(rows[0]?.['num_rows'] ?? seen);
    if (seen >= expected) return;
    const reason = await engine.all('SELECT sum(hash(t)) AS h FROM read_parquet($path) t', { path: this.path }).then(
      () => 'the read stopped early',
      (error: unknown) => (error as Error).message.split('\n', 1)[0],
    );
    throw new TrailbookError('INPUT', `cannot read Parquet flow log: ${reason}`, {
      location: `${this.path}: after ${seen} of ${expected} rows`,
      hint: 'the file is damaged; the rows before this point were read',
    });
  }
}

/** Reads one flow-log file: iterate the result for record batches, then read its `stats`. */
export function readFlowLogFile(path: string, options: ReadFlowOptions = {}): FlowLogFile {
  return new FlowLogFile(path, options);
}

/** The container format by magic bytes: gzip (`1f 8b`), Parquet (`PAR1`), else text. */
export function flowFormatOf(head: Buffer): FlowFileFormat {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') return 'parquet';
  return 'text';
}

/** `flowFormatOf` the first bytes of a file. */
export async function sniffFlowFormat(path: string): Promise<FlowFileFormat> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new TrailbookError('INPUT', `cannot open flow log: ${(error as Error).message}`, { location: path, cause: error });
  }
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return flowFormatOf(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Splits decompressed chunks into lines (without the newline) in bounded memory: a line longer than
 * `maxBytes` is dropped as it comes and reported by its length instead of its text.
 */
class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer, onLine: (line: string | number) => void): void {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(10, from);
      if (newline < 0) break;
      this.add(chunk.subarray(from, newline));
      this.emit(onLine);
      from = newline + 1;
    }
    if (from < chunk.length) this.add(chunk.subarray(from));
  }

  end(onLine: (line: string | number) => void): void {
    if (this.length > 0) this.emit(onLine);
  }

  private add(piece: Buffer): void {
    this.length += piece.length;
    if (this.length <= this.maxBytes) this.parts.push(piece);
    else this.parts = [];
  }

  private emit(onLine: (line: string | number) => void): void {
    const length = this.length;
    const parts = this.parts;
    this.parts = [];
    this.length = 0;
    if (length > this.maxBytes) onLine(length);
    else onLine(parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
  }
}
