#!/usr/bin/env node
// Builds the operations console (src/console) into dist/console with esbuild: one JavaScript and one
// CSS bundle with content hashes in their names (served with a year's cache) and index.html naming
// them (served uncached). Run by scripts/setup.mjs --build (npm start, npm test, npm run bench) when
// the console's sources are newer than the build, and by `npm run build`. Offline: nothing is fetched.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SRC = join(ROOT, 'src', 'console');
const OUT = join(ROOT, 'dist', 'console');

const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(SRC, 'main.tsx'), styles: join(SRC, 'styles.css') },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(OUT, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').pop());
const js = outputs.find((f) => /^app-.*\.js$/.test(f));
const css = outputs.find((f) => /^styles-.*\.css$/.test(f));
if (!js || !css) throw new Error(`esbuild produced no app bundle or stylesheet: ${outputs.join(', ')}`);
const html = readFileSync(join(SRC, 'index.html'), 'utf8').replace('{{js}}', js).replace('{{css}}', css);
writeFileSync(join(OUT, 'index.html'), html);
const kib = (f) => Math.round(result.metafile.outputs[Object.keys(result.metafile.outputs).find((p) => p.endsWith(f))].bytes / 1024);
console.error(`[setup] console built in ${((Date.now() - started) / 1000).toFixed(1)} s (${js} ${kib(js)} KiB, ${css} ${kib(css)} KiB)`);
