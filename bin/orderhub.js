#!/usr/bin/env node
// Runs the compiled CLI (dist/, from `npm run build`) when it is at least as new as every source file;
// otherwise the TypeScript sources directly through tsx's ESM loader, so `npx orderhub` works from a
// clean checkout after `npm install` and never runs code older than the sources.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestMtime } from '../scripts/newest-mtime.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');

try {
  if (process.env.ORDERHUB_FROM_SOURCE !== '1' && existsSync(compiled) && statSync(compiled).mtimeMs >= newestMtime([join(root, 'src')], /\.ts$/)) {
    await import(pathToFileURL(compiled).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
  }
} catch (err) {
  // The CLI could not even load (a broken install or checkout): one line and exit 70, like every
  // other unexpected error (src/cli/errors.ts); the stack with ORDERHUB_DEBUG=1.
  if (process.env.ORDERHUB_DEBUG === '1') throw err;
  process.stderr.write(`error: orderhub could not start: ${err instanceof Error ? err.message : String(err)} (unexpected: ORDERHUB_DEBUG=1 prints the stack trace)\n`);
  process.exitCode = 70;
}
