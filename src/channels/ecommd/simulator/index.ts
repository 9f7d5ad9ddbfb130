/**
 * A local ecom.md server for tests, `orderhub sandbox` and the demo. baseUrl is the server root
 * (`http://127.0.0.1:<port>`), like the connection's `https://admin.ecom.md`.
 */
import { listenLocal } from '../../../sandbox/sim-kit.ts';
import { DateTime } from 'luxon';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import type { Lang } from './data.ts';
import { SIM_ZONE, hash2 } from './generator.ts';
import { buildEcommdServer, emptyCounters, setFaults, type EcommdRequestCounters, type EcommdServerState } from './server.ts';
import { EcommdStore, NO_FAULTS, type EcommdFaults, type StatusChange } from './store.ts';

export type { EcommdFaults, StatusChange, EcommdRequestCounters };
export { NO_FAULTS };

export const DEFAULT_SIM_API_TOKEN = 'ecommd-sandbox-token';

export interface EcommdSimulatorOptions extends SimulatorOptions {
  /** the token the server accepts in `API-Token` or `token` */
  apiToken?: string;
  /** pins "now" (UTC ms) for the schedule's end and inserted orders; default the real clock */
  now?: number;
}

export interface EcommdSimulator extends RunningSimulator {
  baseUrl: string;
  connection: { kind: 'ecommd'; baseUrl: string; apiToken: string };
  apiToken: string;
  port: number;
  /** live request counters (/external/ only) */
  readonly requests: EcommdRequestCounters;
  /** current fault knobs (a copy) */
  readonly faults: EcommdFaults;
  /** merges knobs (null/undefined → default/off) and restarts the fault cycle */
  setFaults(faults: Partial<EcommdFaults>): EcommdFaults;
  clearFaults(): void;
  /** sets an order's status directly (no API rules) */
  changeStatus(id: number | string, status: string): StatusChange;
  /** moves random older open orders one plausible step on */
  changeRandomOldOrders(count: number): StatusChange[];
  /** inserts orders created now; returns their ids */
  insertOrders(count: number): number[];
  /** every order id the channel has (the truth for convergence checks) */
  allOrderIds(): number[];
  /** ids served with a malformed created_at under the current malformedEvery */
  malformedIds(): number[];
  orderCount(): number;
  /** the order as the API serves it now (faults included), or null */
  getOrder(id: number | string, lang?: Lang): Record<string, unknown> | null;
  /** the current status, or null for an unknown order */
  statusOf(id: number | string): string | null;
  /** clears inserted orders, status changes, counters and faults */
  reset(): void;
  tick(): { inserted: number[]; changed: StatusChange[] };
  close(): Promise<void>;
}

function toId(n: number | string): number {
  return typeof n === 'number' ? n : /^\d+$/.test(n.trim()) ? Number(n) : NaN;
}

export async function startEcommdSimulator(options: EcommdSimulatorOptions): Promise<EcommdSimulator> {
  const nowMs = options.now ?? Date.now();
  const since = options.since ?? DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).minus({ days: 90 }).toISODate()!;
  const sinceMs = DateTime.fromISO(since, { zone: SIM_ZONE }).startOf('day').toMillis();
  if (!Number.isFinite(sinceMs)) throw new TypeError(`since: "${since}" is not a date (YYYY-MM-DD)`);
  const store = new EcommdStore({
    seed: options.seed,
    orders: options.orders,
    sinceMs,
    untilMs: nowMs,
    now: options.now === undefined ? undefined : () => nowMs,
  });
  const apiToken = options.apiToken ?? DEFAULT_SIM_API_TOKEN;
  let tickState = hash2(options.seed, 0x51ed);
  const state: EcommdServerState = {
    store,
    apiToken,
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
      Object.assign(state.counters, emptyCounters());
      state.faultTick = 0;
      tickState = hash2(options.seed, 0x51ed);
    },
  };
  const app = await buildEcommdServer(state);
  const { port, baseUrl } = await listenLocal(app, options.host, options.port);

  return {
    baseUrl,
    connection: { kind: 'ecommd', baseUrl, apiToken },
    apiToken,
    port,
    get requests() {
      return state.counters;
    },
    get faults() {
      return { ...store.faults };
    },
    setFaults: (f) => setFaults(state, f),
    clearFaults() {
      store.faults = { ...NO_FAULTS };
      state.faultTick = 0;
    },
    changeStatus: (id, status) => store.changeStatus(toId(id), status),
    changeRandomOldOrders: (count) => store.changeRandomOldOrders(count),
    insertOrders: (count) => store.insertOrders(count),
    allOrderIds: () => store.allOrderIds(),
    malformedIds: () => store.malformedIds(),
    orderCount: () => store.count(),
    getOrder(id, lang = 'ro') {
      const i = store.indexOf(toId(id));
      return i < 0 ? null : store.order(i, lang);
    },
    statusOf(id) {
      const i = store.indexOf(toId(id));
      return i < 0 ? null : store.status(i);
    },
    reset: () => state.reset(),
    tick: () => state.tick() as { inserted: number[]; changed: StatusChange[] },
    close: () => app.close(),
  };
}
