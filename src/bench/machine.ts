import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';

/** What the numbers were measured on: without it a benchmark table means little. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  duckdb: string;
  date: string;
  load: string;
}

export async function describeMachine(): Promise<Machine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const duckdb = String((await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0]);
  connection.closeSync();
  instance.closeSync();
  const list = cpus();
  return {
    cpu: (list[0]?.model ?? 'unknown').trim(),
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    duckdb,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    // Other work on the machine skews timings; say how busy it was when the run started.
    load: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}, DuckDB ${m.duckdb}; ${m.date}; load average at start ${m.load}`;
}
