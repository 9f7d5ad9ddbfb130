/** Shared set-up for end-to-end sync tests: a drinks2cash simulator, a store, and the real engine. */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { drinks2cashChannel } from '../../src/channels/drinks2cash/index.ts';
import { startDrinksSimulator, type DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { addDays, localDate } from '../../src/core/canonical/time.ts';
import type { BaseConnectionConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { syncConnection, type SyncOptions } from '../../src/core/sync/engine.ts';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { openTestStore, type StoreKind, type TestStore } from '../support/stores.ts';

export const SINCE_DAYS = 20;

export function sinceDate(): string {
  return addDays(localDate(new Date(), 'Europe/Warsaw'), -SINCE_DAYS);
}

export async function startSim(orders: number, seed = 7): Promise<DrinksSimulator> {
  return startDrinksSimulator({ host: '127.0.0.1', port: 0, orders, seed, since: sinceDate() });
}

/**
 * Registers the hooks of a suite: one simulator for the file (reset before each test) and a fresh
 * store per test. Read `sim` and `t` inside tests (they are set by the hooks).
 */
export function simAndStorePerTest(kind: StoreKind, orders: number, seed?: number): { readonly sim: DrinksSimulator; readonly t: TestStore } {
  const env = {} as { sim: DrinksSimulator; t: TestStore };
  beforeAll(async () => {
    env.sim = await startSim(orders, seed);
  });
  afterAll(async () => {
    await env.sim.close();
  });
  beforeEach(async () => {
    env.sim.reset();
    env.t = await openTestStore(kind);
  });
  afterEach(async () => {
    await env.t.cleanup();
  });
  return env;
}

export function drinksConfig(sim: DrinksSimulator, overrides: Record<string, unknown> = {}): BaseConnectionConfig {
  return drinks2cashChannel.configSchema.parse({
    name: 'drinks',
    ...sim.connection,
    since: sinceDate(),
    pageSize: 100,
    http: { timeoutMs: 5_000, deadlineMs: 60_000, maxAttempts: 8, requestsPerSecond: 5_000, concurrency: 4 },
    ...overrides,
  });
}

export function sync(store: StoreHandle, config: BaseConnectionConfig, options: SyncOptions = {}) {
  return syncConnection({ store, channel: drinks2cashChannel, config, logger: silentLogger() }, options);
}

/** The store's view: external id -> channel status, and the number of rows per external id. */
export async function storedStatuses(store: StoreHandle, connection = 'drinks'): Promise<Map<string, string>> {
  const rows = await store.db.selectFrom('orders').select(['external_id', 'channel_status']).where('connection', '=', connection).execute();
  const map = new Map<string, string>();
  for (const r of rows) {
    if (map.has(r.external_id)) throw new Error(`order ${r.external_id} stored twice`);
    map.set(r.external_id, r.channel_status);
  }
  return map;
}

/** The simulator's truth in the same shape. */
export function simStatuses(sim: DrinksSimulator): Map<string, string> {
  return new Map(sim.allOrderNumbers().map((n) => [String(n), sim.statusOf(n)!]));
}

export async function expectConverged(store: StoreHandle, sim: DrinksSimulator): Promise<void> {
  const stored = await storedStatuses(store);
  const truth = simStatuses(sim);
  const missing = [...truth.keys()].filter((k) => !stored.has(k));
  const extra = [...stored.keys()].filter((k) => !truth.has(k));
  const wrong = [...truth].filter(([k, s]) => stored.has(k) && stored.get(k) !== s).map(([k]) => k);
  if (missing.length || extra.length || wrong.length) {
    throw new Error(`not converged: ${missing.length} missing (${missing.slice(0, 5)}), ${extra.length} extra, ${wrong.length} with a stale status (${wrong.slice(0, 5)})`);
  }
}

export async function tableCount(store: StoreHandle, table: 'orders' | 'order_journal' | 'order_payloads' | 'sync_failures'): Promise<number> {
  const r = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
