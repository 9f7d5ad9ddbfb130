/**
 * Benchmark helper: sync N orders from a local Dropohs simulator into a store, then sync again with
 * nothing changed and check that the second (full-scan) run wrote no order rows. Used by bench/ (see
 * README.md); everything runs in-process on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { silentLogger } from '../../core/log.ts';
import { openStore, type StoreHandle } from '../../core/store/db.ts';
import { syncConnection, type SyncSummary } from '../../core/sync/engine.ts';
import { dropohsConfigSchema } from './config.ts';
import { dropohsChannel } from './index.ts';
import { startDropohsSimulator } from './simulator/index.ts';

export interface DropohsBenchOptions {
  /** orders the simulator serves (spread over its e-shops) */
  orders: number;
  /** an open store to sync into; otherwise `database` is opened (default: a temporary SQLite file) */
  store?: StoreHandle;
  database?: string;
  seed?: number;
  /** e-shops of the simulated token (default 3) */
  shops?: number;
  /** orders per page (default 500) */
  pageSize?: number;
  /** connection name (default dropohs-bench) */
  connection?: string;
  logger?: Logger;
  /** called after each phase, e.g. to print progress */
  onPhase?: (phase: 'first-sync' | 'no-change-sync', summary: SyncSummary, ms: number) => void;
}

export interface RowCounts {
  orders: number;
  journal: number;
  payloads: number;
}

export interface DropohsBenchResult {
  orders: number;
  first: { ms: number; summary: SyncSummary; ordersPerSecond: number };
  second: { ms: number; summary: SyncSummary; ordersPerSecond: number };
  rowsBefore: RowCounts;
  rowsAfter: RowCounts;
  /** the second sync succeeded, saw every order unchanged and wrote no order/journal/payload row */
  noChangeWroteNothing: boolean;
}

async function rowCounts(store: StoreHandle, connection: string): Promise<RowCounts> {
  const n = async (table: 'orders' | 'order_journal') =>
    Number(
      (await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('connection', '=', connection).executeTakeFirstOrThrow()).n,
    );
  const payloads = Number(
    (
      await store.db
        .selectFrom('order_payloads')
        .innerJoin('orders', 'orders.id', 'order_payloads.order_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('orders.connection', '=', connection)
        .executeTakeFirstOrThrow()
    ).n,
  );
  return { orders: await n('orders'), journal: await n('order_journal'), payloads };
}

export async function runDropohsBench(options: DropohsBenchOptions): Promise<DropohsBenchResult> {
  const logger = options.logger ?? silentLogger();
  const name = options.connection ?? 'dropohs-bench';
  let tempDir: string | null = null;
  let store = options.store;
  if (!store) {
    let database = options.database;
    if (!database) {
      tempDir = mkdtempSync(join(tmpdir(), 'orderhub-dropohs-bench-'));
      database = join(tempDir, 'bench.db');
    }
    store = await openStore(database);
  }
  const sim = await startDropohsSimulator({
    host: '127.0.0.1',
    port: 0,
    orders: options.orders,
    seed: options.seed ?? 42,
    shops: options.shops ?? 3,
  });
  try {
    const config = dropohsConfigSchema.parse({
      name,
      ...sim.connection,
      pageSize: options.pageSize ?? 500,
      http: { maxAttempts: 6, requestsPerSecond: 10_000, concurrency: 4, timeoutMs: 60_000, deadlineMs: 300_000 },
    });
    const deps = { store, channel: dropohsChannel, config, logger };

    let t = performance.now();
    const first = await syncConnection(deps);
    const firstMs = performance.now() - t;
    options.onPhase?.('first-sync', first, firstMs);
    if (first.status !== 'succeeded') throw new Error(`dropohs bench: the first sync failed: ${first.error}`);

    const rowsBefore = await rowCounts(store, name);
    t = performance.now();
    const second = await syncConnection(deps);
    const secondMs = performance.now() - t;
    options.onPhase?.('no-change-sync', second, secondMs);
    const rowsAfter = await rowCounts(store, name);

    const total = sim.orderCount();
    const noChangeWroteNothing =
      second.status === 'succeeded' &&
      second.counts.created === 0 &&
      second.counts.updated === 0 &&
      second.counts.unchanged === total &&
      rowsAfter.orders === rowsBefore.orders &&
      rowsAfter.journal === rowsBefore.journal &&
      rowsAfter.payloads === rowsBefore.payloads;
    return {
      orders: total,
      first: { ms: firstMs, summary: first, ordersPerSecond: (first.counts.fetched / firstMs) * 1000 },
      second: { ms: secondMs, summary: second, ordersPerSecond: (second.counts.fetched / secondMs) * 1000 },
      rowsBefore,
      rowsAfter,
      noChangeWroteNothing,
    };
  } finally {
    await sim.close();
    if (!options.store) await store.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
