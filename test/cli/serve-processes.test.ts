/**
 * `orderhub serve --processes N` as a user runs it: several processes answering on one port, pages
 * and cursors that work whichever process answers, metrics aggregated over the processes, a killed
 * worker replaced, a clean stop on SIGTERM, and clear failures.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createApiKey } from '../../src/api/store/api-keys.ts';
import { freePort } from '../../src/core/http/free-port.ts';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { tempDir } from '../support/pg.ts';
import { drinksConfig, sinceDate, startSim, sync } from '../sync/support.ts';

const BIN = join(import.meta.dirname, '../../bin/orderhub.js');
const ORDERS = 230;

/** GET over a fresh TCP connection each time, so the primary spreads requests over the workers. */
function get(url: string, key?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function workerPids(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(primary)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Serve { proc: ChildProcess; output: () => string; exited: Promise<number | null> }

function serve(args: string[]): Serve {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDERHUB_LOG_LEVEL: 'warn' } });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 90_000);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => (clearTimeout(killer), resolve(code))));
  return { proc, output: () => out, exited };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('orderhub serve --processes', () => {
  let sim: DrinksSimulator;
  let dir: ReturnType<typeof tempDir>;
  let config: string;
  let port: number;
  let key: string;
  beforeAll(async () => {
    sim = await startSim(ORDERS, 11);
    dir = tempDir('orderhub-serve-');
    const database = join(dir.path, 'serve.db');
    port = await freePort();
    const connection = drinksConfig(sim);
    config = join(dir.path, 'orderhub.yaml');
    writeFileSync(config, stringify({ database, server: { port, responseCache: false }, connections: [{ name: connection.name, ...sim.connection, since: sinceDate() }] }));
    const store = await openHubStore(database);
    try {
      const summary = await sync(store, connection);
      expect(summary.status).toBe('succeeded');
      key = (await createApiKey(store.db, { name: 'test', scope: 'read' })).key;
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await sim.close();
    dir.cleanup();
  });

  it('serves from two processes, pages across them, aggregates metrics, replaces a killed worker and stops cleanly', async () => {
    const s = serve(['--config', config, 'serve', '--processes', '2']);
    try {
      await waitFor('the banner', () => s.output().includes('orderhub API on'));
      expect(s.output()).toContain(`http://127.0.0.1:${port} (2 processes)`);
      const workers = workerPids(s.proc.pid!);
      expect(workers).toHaveLength(2);
      const base = `http://127.0.0.1:${port}`;

      // every order exactly once, following cursors that other processes handed out
      const seen = new Set<string>();
      let path = '/v1/orders?limit=50&sort=createdAt';
      let requests = 0;
      for (;;) {
        const r = await get(base + path, key);
        requests++;
        expect(r.status).toBe(200);
        const page = JSON.parse(r.body) as { data: Array<{ id: string }>; next: string | null };
        for (const o of page.data) {
          expect(seen.has(o.id)).toBe(false);
          seen.add(o.id);
        }
        if (!page.next) break;
        path = `/v1/orders?limit=50&sort=createdAt&cursor=${page.next}`;
      }
      expect(seen.size).toBe(ORDERS);
      expect((await get(`${base}/v1/orders`)).status).toBe(401);

      // one scrape counts the requests of both processes, and the store's figures once
      const metrics = (await get(`${base}/metrics`)).body;
      const count = /orderhub_http_request_duration_seconds_count\{method="GET",route="\/v1\/orders",status_code="200"\} (\d+)/.exec(metrics);
      expect(Number(count?.[1])).toBe(requests);
      expect(metrics).toMatch(new RegExp(`orderhub_orders\\{connection="${drinksConfig(sim).name}"\\} ${ORDERS}\\n`));

      // a worker that dies is replaced, and the port keeps answering
      process.kill(workers[0]!, 'SIGKILL');
      await waitFor('the restart to be reported', () => /worker \d exited \(SIGKILL\); starting a new one/.test(s.output()));
      await waitFor('a replacement worker', () => workerPids(s.proc.pid!).filter((p) => p !== workers[0]).length === 2);
      for (let i = 0; i < 6; i++) expect((await get(`${base}/v1/orders?limit=1`, key)).status).toBe(200);

      const running = workerPids(s.proc.pid!);
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.output()).not.toContain('did not drain');
      for (const pid of running) expect(alive(pid)).toBe(false);
    } finally {
      s.proc.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a bad --processes and a shared port of 0', async () => {
    const bad = serve(['--config', config, 'serve', '--processes', 'many']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--processes must be a whole number from 1 to 256 or "auto", got "many"');
    const zero = serve(['--config', config, 'serve', '--processes', '2', '--port', '0']);
    expect(await zero.exited).toBe(2);
    expect(zero.output()).toContain('--processes needs a fixed --port');
  }, 30_000);

  it('exits 1 with the reason when the workers cannot listen', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    try {
      const s = serve(['--config', config, 'serve', '--processes', '2']);
      expect(await s.exited).toBe(1);
      expect(s.output()).toMatch(/worker \d could not start: .*EADDRINUSE/);
      expect(s.output()).not.toContain('orderhub API on');
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, 60_000);
});
