/**
 * A sync process killed with SIGKILL in the middle of paging: the next sync resumes without losing or
 * duplicating an order, and the run the dead process left behind is closed.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { listRuns } from '../../src/core/store/runs.ts';
import { describeEachStore } from '../support/stores.ts';
import { tempDir } from '../support/pg.ts';
import { drinksConfig, expectConverged, simAndStorePerTest, sinceDate, sync, tableCount } from './support.ts';

const ORDERS = 1_500;
const BIN = join(import.meta.dirname, '../../bin/orderhub.js');

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describeEachStore('a sync killed mid-run', (kind) => {
  const env = simAndStorePerTest(kind, ORDERS, 11);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('orderhub-crash-');
  });
  afterEach(() => {
    dir.cleanup();
  });

  it('resumes without loss or duplicates', async () => {
    // Slow pages so that the kill lands between committed pages and the end of the window.
    env.sim.setFaults({ latencyMs: 60 });
    const configFile = join(dir.path, 'orderhub.yaml');
    writeFileSync(
      configFile,
      stringify({
        database: env.t.database,
        connections: [{ name: 'drinks', ...env.sim.connection, since: sinceDate(), pageSize: 40, http: { concurrency: 1, requestsPerSecond: 1000 } }],
      }),
    );
    const child = spawn(process.execPath, [BIN, '--config', configFile, 'sync'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const reader: StoreHandle = await openHubStore(env.t.database);
    try {
      await waitFor(async () => (await tableCount(reader, 'orders')) >= 200, 60_000).catch((err) => {
        throw new Error(`${(err as Error).message}; child stderr: ${stderr}`);
      });
      child.kill('SIGKILL');
      await exited;
      const partial = await tableCount(reader, 'orders');
      expect(partial).toBeGreaterThanOrEqual(200);
      expect(partial).toBeLessThan(ORDERS);
      const left = await listRuns(reader.db, { connection: 'drinks' });
      expect(left[0]?.status).toBe('running');
    } finally {
      await reader.close();
    }

    env.sim.clearFaults();
    const resumed = await sync(env.t.store, drinksConfig(env.sim));
    expect(resumed.error).toBeNull();
    expect(resumed.status).toBe('succeeded');
    await expectConverged(env.t.store, env.sim);
    // every order was created exactly once across both processes
    const created = await env.t.store.db.selectFrom('order_journal').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'created').executeTakeFirstOrThrow();
    expect(Number(created.n)).toBe(ORDERS);
    const runs = await listRuns(env.t.store.db, { connection: 'drinks' });
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(runs[1]!.error).toMatch(/interrupted/);
  }, 120_000);
});
