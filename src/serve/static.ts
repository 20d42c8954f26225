import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built web app (scripts/build-web.mjs writes it), the same path from src/serve and dist/serve. */
export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  type: string;
  body: Buffer;
}

/**
 * The file for a path under `root`, else `index.html` (the app routes by `#/…`, so any other
 * path is the app's page). A path that would leave `root` is never read; a file whose kind is not
 * known is not served. Undefined when the app is not built.
 */
export async function staticFile(root: string, pathname: string): Promise<StaticFile | undefined> {
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^[/\\]+/, '');
  } catch {
    relative = '';
  }
  const type = TYPES[extname(relative).toLowerCase()];
  const inside = relative !== '' && !relative.split(sep).includes('..') && !relative.includes('\0');
  if (inside && type) {
    const body = await readFile(join(root, relative)).catch(() => undefined);
    if (body) return { type, body };
  }
  const index = await readFile(join(root, 'index.html')).catch(() => undefined);
  return index ? { type: TYPES['.html']!, body: index } : undefined;
}
