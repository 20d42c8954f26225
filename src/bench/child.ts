import { spawn } from 'node:child_process';

/**
 * Runs one benchmark contender in its own Node process (so its peak RSS is its own) and returns
 * the JSON object the child prints as its last stdout line.
 */
export function runJsonChild<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last) return reject(new Error(`${args[0] ?? script} exited with ${code}`));
      resolvePromise(JSON.parse(last) as T);
    });
  });
}
