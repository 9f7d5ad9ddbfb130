/**
 * What the console's browser tests (and the screenshot script) run against: drinks2cash and ecom.md
 * simulators in this process (so a test can change orders at the channel), a config pointing at them,
 * a store synced by `orderhub sync`, a write and a read key from `orderhub apikey create`, and
 * `orderhub serve` as a child process; and headless Debian Chromium through playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { startDrinksSimulator, type DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { startEcommdSimulator, type EcommdSimulator } from '../../src/channels/ecommd/simulator/index.ts';
import { orderhub, BIN, type Result } from '../cli/run-cli.ts';

export const CHROMIUM = process.env.ORDERHUB_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser suite can run; in CI a missing Chromium is an error, never a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`the console's browser tests need Chromium at ${CHROMIUM} (CI installs Debian's chromium in .ci/run)`);
  }
  console.warn(`[console tests] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set ORDERHUB_CHROMIUM)`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** The built console (npm test builds it in its set-up; a lone `vitest run test/console` may come first). */
function ensureConsoleBuilt(): void {
  const root = join(import.meta.dirname, '..', '..');
  if (existsSync(join(root, 'dist', 'console', 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console build failed');
}

export interface ConsoleEnv {
  url: string;
  writeKey: string;
  readKey: string;
  drinks: DrinksSimulator;
  ecommd: EcommdSimulator;
  configFile: string;
  cli(args: string[]): Promise<Result>;
  /** a call of the REST API with the write key (what a script does) */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface ConsoleEnvOptions {
  orders?: number;
  /** every n-th ecom.md order is malformed during the first sync (quarantined) */
  malformedEvery?: number;
  days?: number;
  port?: number;
}

function startServe(configFile: string, port: number): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, '--config', configFile, 'serve', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDERHUB_LOG_LEVEL: 'warn' },
    });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`orderhub serve did not start: ${err}`)), 60_000);
    proc.stderr!.on('data', (d) => {
      err += String(d);
      const m = /orderhub API on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.stdout!.resume();
    proc.on('exit', (code) => reject(new Error(`orderhub serve exited ${code}: ${err}`)));
  });
}

export async function startConsoleEnv(options: ConsoleEnvOptions = {}): Promise<ConsoleEnv> {
  ensureConsoleBuilt();
  // (not test/support's tempDir: that module needs vitest, and the screenshot script runs without it)
  const dir = { path: mkdtempSync(join(tmpdir(), 'orderhub-console-')), cleanup() { rmSync(this.path, { recursive: true, force: true }); } };
  const days = options.days ?? 30;
  const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const orders = options.orders ?? 120;
  const drinks = await startDrinksSimulator({ host: '127.0.0.1', port: 0, orders, seed: 7, since });
  const ecommd = await startEcommdSimulator({ host: '127.0.0.1', port: 0, orders, seed: 8, since });
  if (options.malformedEvery) ecommd.setFaults({ malformedEvery: options.malformedEvery });
  const configFile = join(dir.path, 'orderhub.yaml');
  writeFileSync(configFile, stringify({
    database: join(dir.path, 'console.db'),
    connections: [
      { name: 'drinks', ...drinks.connection, since, schedule: '1h' },
      { name: 'md', ...ecommd.connection, since, schedule: '1h' },
    ],
  }));
  const cli = (args: string[]) => orderhub(['--config', configFile, ...args], { timeoutMs: 120_000 });
  const synced = await cli(['sync']);
  if (synced.code !== 0) throw new Error(`orderhub sync failed: ${synced.stderr}`);
  if (options.malformedEvery) ecommd.setFaults({ malformedEvery: 0 });
  const keyOf = async (scope: string) => {
    const r = await cli(['apikey', 'create', '--scope', scope, '--name', `console-${scope}`, '--json']);
    if (r.code !== 0) throw new Error(`apikey create failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { key: string }).key;
  };
  const writeKey = await keyOf('write');
  const readKey = await keyOf('read');
  const serve = await startServe(configFile, options.port ?? 0);
  serve.proc.removeAllListeners('exit');
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(serve.url + path, {
      method, headers: { authorization: `Bearer ${writeKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url: serve.url, writeKey, readKey, drinks, ecommd, configFile, cli, api,
    async close() {
      serve.proc.kill('SIGTERM');
      await new Promise((r) => serve.proc.once('exit', r));
      await Promise.all([drinks.close(), ecommd.close()]);
      dir.cleanup();
    },
  };
}

/** Console errors and uncaught exceptions of a page, except those the caller expects (e.g. a refused sign-in's 401). */
export function watchErrors(page: Page): { errors: string[]; allow(status: number): void } {
  const errors: string[] = [];
  const allowed = new Set<number>();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(m.text());
    if (status && allowed.has(Number(status[1]))) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { errors, allow: (status) => void allowed.add(status) };
}

export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url + '/');
  await page.getByLabel('API key').fill(key);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
