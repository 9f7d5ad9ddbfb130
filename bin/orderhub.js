#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's ESM loader, so `npx orderhub` works from a clean
// checkout after `npm install` with no separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
