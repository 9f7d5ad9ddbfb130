/**
 * A local drinks2cash server for tests, `orderhub sandbox` and the benchmark.
 *
 * baseUrl is the server root WITHOUT `/api` (`http://127.0.0.1:<port>`), like the connection's
 * `https://drinks2cash.com`: the client adds `/api/order…` itself.
 */
import { listenLocal } from '../../../sandbox/sim-kit.ts';
import { DateTime } from 'luxon';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { SIM_ZONE, WallClock, hash2 } from './generator.ts';
import { buildDrinksServer, emptyCounters, setFaults, type DrinksRequestCounters, type DrinksServerState } from './server.ts';
import { DrinksStore, NO_FAULTS, type DrinksFaults, type StatusChange, type StoredDocument } from './store.ts';

export type { DrinksFaults, StatusChange, StoredDocument, DrinksRequestCounters };
export { NO_FAULTS };

export const DEFAULT_SIM_API_KEY = 'drinks2cash-sandbox-key';

export interface DrinksSimulatorOptions extends SimulatorOptions {
  /** the key the server accepts in `Authorization` (default drinks2cash-sandbox-key) */
  apiKey?: string;
  /** pins "now" (UTC ms) for the schedule's end and inserted orders; default the real clock */
  now?: number;
}

export interface DrinksSimulator extends RunningSimulator {
  baseUrl: string;
  connection: { kind: 'drinks2cash'; baseUrl: string; apiKey: string };
  apiKey: string;
  port: number;
  /** live request counters (/api only) */
  readonly requests: DrinksRequestCounters;
  /** uploaded documents, in arrival order */
  readonly documents: readonly StoredDocument[];
  /** current fault knobs (a copy) */
  readonly faults: DrinksFaults;
  /** merges knobs (null/undefined → default/off) and restarts the fault cycle */
  setFaults(faults: Partial<DrinksFaults>): DrinksFaults;
  clearFaults(): void;
  /** sets an order's status directly (no API rules) */
  changeStatus(orderNumber: number | string, status: string): StatusChange;
  /** moves random older open orders one step on (→ IN_REALIZATION / REALIZED / CANCELLED …) */
  changeRandomOldOrders(count: number): StatusChange[];
  /** inserts orders created now; returns their numbers */
  insertOrders(count: number): number[];
  allOrderNumbers(): number[];
  orderCount(): number;
  /** the order as the API would serve it now (faults included), or null */
  getOrder(orderNumber: number | string): Record<string, unknown> | null;
  /** the current (true) status, or null for an unknown order */
  statusOf(orderNumber: number | string): string | null;
  /** order numbers the API lists for a date window (from/to as the API takes them) — arithmetic, no paging */
  windowOrderNumbers(from: string, to: string): { first: number | null; last: number | null; count: number };
  /** clears inserted orders, status changes, documents, counters and faults */
  reset(): void;
  tick(): { inserted: number[]; changed: StatusChange[] };
  close(): Promise<void>;
}

function toNumber(n: number | string): number {
  return typeof n === 'number' ? n : /^\d+$/.test(n.trim()) ? Number(n) : NaN;
}

export async function startDrinksSimulator(options: DrinksSimulatorOptions): Promise<DrinksSimulator> {
  const nowMs = options.now ?? Date.now();
  const clock = new WallClock(SIM_ZONE);
  const since = options.since ?? DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).minus({ days: 90 }).toISODate()!;
  const store = new DrinksStore({
    seed: options.seed,
    orders: options.orders,
    sinceSec: clock.startOfDay(since),
    untilSec: Math.floor(nowMs / 1000),
    now: options.now === undefined ? undefined : () => Math.floor(nowMs / 1000),
  });
  const apiKey = options.apiKey ?? DEFAULT_SIM_API_KEY;
  let tickState = hash2(options.seed, 0x51ed);
  const state: DrinksServerState = {
    store,
    apiKey,
    counters: emptyCounters(),
    faultTick: 0,
    tick() {
      tickState = hash2(tickState, 0x9e37);
      const inserted = store.insertOrders(1 + (tickState % 3));
      const changed = store.changeRandomOldOrders(1 + ((tickState >>> 8) % 3));
      return { inserted, changed };
    },
    reset() {
      store.reset();
      const c = emptyCounters();
      Object.assign(state.counters, c);
      state.faultTick = 0;
      tickState = hash2(options.seed, 0x51ed);
    },
  };
  const app = await buildDrinksServer(state);
  const { port, baseUrl } = await listenLocal(app, options.host, options.port);

  return {
    baseUrl,
    connection: { kind: 'drinks2cash', baseUrl, apiKey },
    apiKey,
    port,
    get requests() {
      return state.counters;
    },
    get documents() {
      return store.documents;
    },
    get faults() {
      return { ...store.faults };
    },
    setFaults: (f) => setFaults(state, f),
    clearFaults() {
      store.faults = { ...NO_FAULTS };
      state.faultTick = 0;
    },
    changeStatus: (n, status) => store.changeStatus(toNumber(n), status),
    changeRandomOldOrders: (count) => store.changeRandomOldOrders(count),
    insertOrders: (count) => store.insertOrders(count),
    allOrderNumbers: () => store.allOrderNumbers(),
    orderCount: () => store.count(),
    getOrder: (n) => store.getOrder(toNumber(n)),
    statusOf(n) {
      const i = store.indexOf(toNumber(n));
      return i < 0 ? null : store.trueStatus(i);
    },
    windowOrderNumbers(from, to) {
      const toExcl = clock.startOfDay(DateTime.fromISO(to, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!);
      const [first, end] = store.range(clock.startOfDay(from), toExcl);
      return {
        first: end > first ? store.numberOf(first) : null,
        last: end > first ? store.numberOf(end - 1) : null,
        count: end - first,
      };
    },
    reset: () => state.reset(),
    tick: () => state.tick(),
    close: () => app.close(),
  };
}
