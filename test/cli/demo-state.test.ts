/**
 * The demo keeps its state (issue 17 item 4): `orderhub demo` (what `npm start` runs) as a child
 * process, run twice on one folder — the second run keeps the store, the API key and the ports of the
 * simulators and of the API, so the first run's config and key keep working; `--reset` starts
 * afresh and says so; a simulator port taken meanwhile is replaced by a free one, said plainly.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '../support/pg.ts';
import { orderhub, type Result } from './run-cli.ts';

function listen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** `count` consecutive free ports (checked by listening on them) */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const held = await Promise.all(Array.from({ length: count }, (_, i) => listen(base + i)));
    await Promise.all(held.map((s) => s && new Promise((r) => s.close(r))));
    if (held.every((s) => s !== null)) return base;
  }
}

interface Seen {
  result: Result;
  api: string;
  key: string;
  simulators: string[];
  /** what GET /v1/orders answered with the key while the demo ran */
  ordersStatus: number;
  /** what the extra check run while the demo ran gave */
  during?: Result;
}

/** Runs the whole demo until it is ready, checks the API with its key (and `during`), then stops it with SIGINT. */
async function demoUntilReady(args: string[], during?: () => Promise<Result>): Promise<Seen> {
  let seen: Partial<Seen> = {};
  let checks: Promise<void> | undefined;
  const result = await orderhub(['demo', '--orders', '30', '--interval', '600', ...args], {
    timeoutMs: 150_000,
    onSpawn: (kill, out) => {
      const poll = setInterval(() => {
        const text = out();
        if (checks || !/simulated channels get new orders/.test(text)) return;
        clearInterval(poll);
        const api = /REST API on (http:\/\/\S+) .*: (ohk_\S+)\n/.exec(text)!;
        seen = { api: api[1]!, key: api[2]!, simulators: text.match(/^ {2}[a-z0-9-]+ +http:\/\/127\.0\.0\.1:\d+$/gm) ?? [] };
        checks = (async () => {
          const res = await request(`${seen.api}/v1/orders?limit=1`, { headers: { authorization: `Bearer ${seen.key}` } });
          await res.body.dump();
          seen.ordersStatus = res.statusCode;
          if (during) seen.during = await during();
        })().finally(() => kill('SIGINT'));
      }, 100);
    },
  });
  await checks;
  return { ...(seen as Seen), result };
}

describe('orderhub demo keeps its state', { timeout: 600_000 }, () => {
  let dir: TempDir;
  let data: string;
  let apiPort: number;
  let simulatorPort: number;
  beforeAll(async () => {
    dir = tempDir('orderhub-demo-');
    data = join(dir.path, 'data');
    apiPort = await freePorts(1);
    simulatorPort = await freePorts(5);
  });
  afterAll(() => dir.cleanup());

  it('keeps the store, the API key and the ports on a second run; the first run\'s config and key keep working', async () => {
    const first = await demoUntilReady(['--dir', data, '--port', String(apiPort), '--simulator-port', String(simulatorPort)]);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stdout).toContain(`a new demo in ${data} (a second run keeps it; --reset starts afresh)`);
    expect(first.api).toBe(`http://127.0.0.1:${apiPort}`);
    expect(first.simulators).toContain(`  drinks2cash    http://127.0.0.1:${simulatorPort + 2}`);
    expect(first.ordersStatus).toBe(200);
    const firstConfig = join(dir.path, 'first.yaml');
    copyFileSync(join(data, 'demo.yaml'), firstConfig);
    const stored = Number(/\n(\d+) orders in the store/.exec(first.result.stdout)![1]);
    expect(stored).toBeGreaterThanOrEqual(4 * 30);

    // the second run is given no ports: it remembers them; the first run's config syncs against it
    const second = await demoUntilReady(['--dir', data], () => orderhub(['--config', firstConfig, 'sync', '-c', 'drinks2cash-sandbox']));
    expect(second.result.code, second.result.stderr).toBe(0);
    expect(second.result.stdout).toContain(`keeping the demo in ${data}: its store, API key and ports (--reset starts afresh)`);
    // (the simulated Alza pushed dropship orders after the first run's count was printed)
    expect(Number(/the store has (\d+) orders; first sync/.exec(second.result.stdout)?.[1])).toBeGreaterThanOrEqual(stored);
    expect(second.api).toBe(first.api);
    expect(second.key).toBe(first.key);
    expect(second.result.stdout).toContain('demo API key (write scope, kept from the last run)');
    expect(second.simulators).toEqual(first.simulators);
    expect(second.ordersStatus).toBe(200);
    expect(second.during!.code, second.during!.stderr).toBe(0);
    expect(second.during!.stdout).toMatch(/drinks2cash-sandbox\s+ok\s+incremental/);
    expect(readFileSync(join(data, 'demo.yaml'), 'utf8')).toBe(readFileSync(firstConfig, 'utf8'));
    const state = JSON.parse(readFileSync(join(data, 'demo-state.json'), 'utf8')) as { apiKey: string; apiPort: number; simulatorPort: number };
    expect(state).toMatchObject({ apiKey: first.key, apiPort, simulatorPort });
  });

  it('says plainly when a simulator port is taken, and uses free ones; --reset starts afresh and says so', async () => {
    const taken = (await listen(simulatorPort + 2))!;
    try {
      const r = await orderhub(['demo', '--dir', data, '--once'], { timeoutMs: 150_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`port ${simulatorPort + 2} of the simulators (${simulatorPort} and up) is taken: they listen on other ports this time`);
      expect(r.stdout).not.toContain(`http://127.0.0.1:${simulatorPort + 2}`);
      expect(readFileSync(join(data, 'demo.yaml'), 'utf8')).not.toContain(`:${simulatorPort + 2}`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const reset = await orderhub(['demo', '--dir', data, '--once', '--reset'], { timeoutMs: 150_000 });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`--reset: starting afresh in ${data} (a new store, API key and order history; the same ports)`);
    expect(reset.stdout, reset.stdout).toMatch(/\n120 orders in the store/);
    // the ports are remembered still; the key is gone with the store
    expect(reset.stdout).toContain(`http://127.0.0.1:${simulatorPort + 2}`);
    expect(JSON.parse(readFileSync(join(data, 'demo-state.json'), 'utf8'))).toMatchObject({ apiKey: null, simulatorPort });
  });
});
