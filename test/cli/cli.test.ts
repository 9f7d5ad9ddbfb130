/**
 * The `orderhub` command as a user runs it: a child process against the drinks2cash simulator.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'yaml';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { canonicalOrderSchema } from '../../src/core/canonical/order.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { listRuns } from '../../src/core/store/runs.ts';
import { tempDir } from '../support/pg.ts';
import { sinceDate, startSim } from '../sync/support.ts';
import { orderhub } from './run-cli.ts';

const ORDERS = 300;

describe('the orderhub command', () => {
  let sim: DrinksSimulator;
  let dir: ReturnType<typeof tempDir>;
  let config: string;
  let database: string;
  beforeAll(async () => {
    sim = await startSim(ORDERS, 3);
    dir = tempDir('orderhub-cli-');
    database = join(dir.path, 'cli.db');
    config = join(dir.path, 'orderhub.yaml');
    writeFileSync(config, stringify({ database, connections: [{ name: 'pl', ...sim.connection, since: sinceDate(), schedule: '1s' }] }));
  });
  afterAll(async () => {
    await sim.close();
    dir.cleanup();
  });

  it('syncs, prints a summary per connection and exits 0', async () => {
    const r = await orderhub(['--config', config, 'sync']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/connection\s+result\s+mode\s+fetched\s+created/);
    expect(r.stdout).toMatch(new RegExp(`pl\\s+ok\\s+incremental\\s+\\d+\\s+${ORDERS}\\s`));
  });

  it('exports every order as NDJSON, CSV and JSON that parse back to the same orders', async () => {
    const nd = await orderhub(['--config', config, 'orders', 'export']);
    const lines = nd.stdout.trim().split('\n').map((l) => canonicalOrderSchema.parse(JSON.parse(l)));
    expect(lines.length).toBe(ORDERS);
    const csvFile = join(dir.path, 'orders.csv');
    const csv = await orderhub(['--config', config, 'orders', 'export', '--format', 'csv', '--out', csvFile]);
    expect(csv.code).toBe(0);
    const rows = parseCsv(readFileSync(csvFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(ORDERS);
    const byId = new Map(lines.map((o) => [o.id, o]));
    for (const row of rows.slice(0, 50)) {
      const o = byId.get(row.id!)!;
      expect(row.total).toBe(o.totals.total ?? '');
      expect(JSON.parse(row.items!)).toEqual(o.items);
    }
    const json = await orderhub(['--config', config, 'orders', 'export', '--format', 'json', '--status', 'new']);
    const arr = JSON.parse(json.stdout) as unknown[];
    expect(arr.length).toBe(lines.filter((o) => o.status === 'new').length);
  });

  it('shows one order with its journal and raw payload', async () => {
    const first = sim.allOrderNumbers()[0]!;
    const r = await orderhub(['--config', config, 'orders', 'show', `pl:${first}`, '--raw']);
    expect(r.code).toBe(0);
    // the names of GET /v1/orders/{id}?include=raw (issue 17): journal events have a `type`, payloads are `raw`
    const shown = JSON.parse(r.stdout) as { order: { externalId: string }; journal: Array<{ type: string }>; raw: Array<{ payload: { order_number: number } }> };
    expect(shown.order.externalId).toBe(String(first));
    expect(shown.journal[0]!.type).toBe('order.created');
    expect(shown.raw[0]!.payload.order_number).toBe(first);
  });

  it('exits non-zero with a clear message when a connection fails', async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, stringify({ database: join(dir.path, 'bad.db'), connections: [{ name: 'pl', ...sim.connection, apiKey: 'nope' }] }));
    const r = await orderhub(['--config', bad, 'sync']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: pl: .*403/);
    expect(r.stdout).toMatch(/pl\s+FAILED/);
  });

  it('refuses a bad configuration with every problem listed, exit code 2', async () => {
    const bad = join(dir.path, 'invalid.yaml');
    writeFileSync(bad, 'connections:\n  - name: x\n    kind: drinks2cash\n    since: yesterday\n');
    const r = await orderhub(['--config', bad, 'sync']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/since: must be a date YYYY-MM-DD/);
    expect(r.stderr).toMatch(/apiKey/);
  });

  it('runs the scheduler until SIGTERM, then drains and exits cleanly', async () => {
    sim.setFaults({ latencyMs: 30 });
    let sent = false;
    const r = await orderhub(['--config', config, 'run'], {
      onSpawn: (kill, out) => {
        const poll = setInterval(() => {
          // stop once the scheduler has completed at least one sync
          if (!sent && /\bpl\s+ok\b/.test(out())) {
            sent = true;
            clearInterval(poll);
            kill('SIGTERM');
          }
        }, 50);
      },
    });
    sim.clearFaults();
    expect(sent).toBe(true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stopping/);
    const store = await openHubStore(database);
    try {
      const runs = await listRuns(store.db, { connection: 'pl' });
      expect(runs.every((run) => run.status !== 'running')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('runs the same from the compiled dist/ (built by npm test, as by npm start) and from the sources', async () => {
    // npm test compiles first, so the other tests here run the compiled CLI; this one also runs the sources
    expect(existsSync(join(import.meta.dirname, '../../dist/src/cli/main.js'))).toBe(true);
    const compiled = await orderhub(['--config', config, 'orders', 'list', '-n', '3']);
    const source = await orderhub(['--config', config, 'orders', 'list', '-n', '3'], { env: { ORDERHUB_FROM_SOURCE: '1' } });
    expect(compiled.code).toBe(0);
    expect(source.code).toBe(0);
    expect(compiled.stdout).toMatch(/^connection\s+order/);
    expect(source.stdout).toBe(compiled.stdout);
  });

  it('has --help for every command', async () => {
    for (const cmd of [[], ['sync'], ['orders', 'export'], ['run'], ['sandbox'], ['channels'], ['demo'], ['stock', 'import'], ['alza-dropship', 'depart']]) {
      const r = await orderhub([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: orderhub/);
    }
  });
});

describe('orderhub stock (Alza dropship supplier branch)', () => {
  let dir: ReturnType<typeof tempDir>;
  let config: string;
  beforeAll(() => {
    dir = tempDir('orderhub-stock-');
    config = join(dir.path, 'orderhub.yaml');
    const dropship = { kind: 'alza-dropship', buyerApiUrl: 'http://127.0.0.1:9/api/v1', customerId: 7, supplierId: 4242, supplierBranchId: 3, secret: 'not-a-real-secret' };
    writeFileSync(config, stringify({
      database: join(dir.path, 'stock.db'),
      connections: [{ name: 'alza-a', ...dropship }, { name: 'alza-b', ...dropship, customerId: 8, supplierBranchId: 4 }],
    }));
  });
  afterAll(() => dir.cleanup());

  it('imports a CSV into the named connection and lists it; a bad file is refused whole with its problems', async () => {
    const file = join(dir.path, 'stock.csv');
    writeFileSync(file, 'code,ean,name,quantity,price\nTV-1,8590000000101,Televize,5,7999.00\nCABLE,,"Kabel, 2 m",12,59.90\n');
    const imported = await orderhub(['--config', config, 'stock', 'import', '--connection', 'alza-b', file]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(/2 product\(s\) read: 2 new, 0 updated \(branch 4\)/);
    const listed = await orderhub(['--config', config, 'stock', 'list', '--connection', 'alza-b', '--json']);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code: string; onHand: number; available: number; name: string });
    expect(rows.map((r) => [r.code, r.onHand, r.available, r.name])).toEqual([['CABLE', 12, 12, 'Kabel, 2 m'], ['TV-1', 5, 5, 'Televize']]);
    // the other branch has none
    expect((await orderhub(['--config', config, 'stock', 'list', '--connection', 'alza-a'])).stdout).toMatch(/0 product\(s\)/);

    writeFileSync(file, 'code,ean,name,quantity,price\nTV-1,,x,-1,1\n');
    const bad = await orderhub(['--config', config, 'stock', 'import', '--connection', 'alza-b', file]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/quantity/);
    const after = await orderhub(['--config', config, 'stock', 'list', '--connection', 'alza-b', '--json']);
    expect(after.stdout).toContain('"onHand":5');
  });

  it('asks which connection when several are configured, and says a push channel has nothing to sync', async () => {
    const which = await orderhub(['--config', config, 'stock', 'list']);
    expect(which.code).toBe(2);
    expect(which.stderr).toMatch(/several alza-dropship connections .*--connection \(alza-a, alza-b\)/);
    const sync = await orderhub(['--config', config, 'sync', '--connection', 'alza-a']);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/push channel/);
  });
});
