// Builds the web workspace (src/web/) into dist/web/: index.html, app.js, app.css — three files,
// no inline script or style (the server's Content-Security-Policy allows only 'self'), no remote
// resource. Run by `npm run build` and `prepare`, so `npm ci` leaves it built and the package
// ships it.
//
//   node scripts/build-web.mjs [outdir]     outdir: dist/web (default)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'src/web/main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'error',
});

// The shared components' rules (timeline, decision tree, badges) come from the static report's
// stylesheet module, so the app and the report draw them alike; the app's own rules follow.
const styles = await build({
  entryPoints: [join(root, 'src/report/render/html-style.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'error',
});
const { COMPONENT_STYLE } = await import(`data:text/javascript;base64,${Buffer.from(styles.outputFiles[0].text).toString('base64')}`);
writeFileSync(join(out, 'app.css'), `${COMPONENT_STYLE.trim()}\n${readFileSync(join(root, 'src/web/app.css'), 'utf8')}`);

writeFileSync(
  join(out, 'index.html'),
  `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>trailbook workspace</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<div id="app"><p class="loading">Loading the workspace…</p></div>
</body>
</html>
`,
);
