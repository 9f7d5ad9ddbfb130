/**
 * A local drinks2cash server for tests, `orderhub sandbox` and the benchmark.
 *
 * baseUrl is the server root WITHOUT `/api` (`http://127.0.0.1:<port>`), like the connection's
 * `https://drinks2cash.com`: the client adds `/api/order…` itself.
 */
import { DateTime } from 'luxon';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { FaultKnobs } from '../../kit/simulator/faults.ts';
import { SimulatorHarness, simulatedHistory, simulatorWith, type SimulatorControls } from '../../kit/simulator/harness.ts';
import { numericId } from '../../kit/simulator/numbering.ts';
import { WallClock } from '../../kit/simulator/wall-clock.ts';
import { SIM_ZONE } from './generator.ts';
import { buildDrinksServer, emptyCounters, type DrinksRequestCounters } from './server.ts';
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

export interface DrinksSimulator extends RunningSimulator, SimulatorControls<DrinksFaults, DrinksRequestCounters> {
  connection: { kind: 'drinks2cash'; baseUrl: string; apiKey: string };
  apiKey: string;
  /** uploaded documents, in arrival order */
  readonly documents: readonly StoredDocument[];
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
  tick(): { inserted: number[]; changed: StatusChange[] };
}

export async function startDrinksSimulator(options: DrinksSimulatorOptions): Promise<DrinksSimulator> {
  const clock = new WallClock(SIM_ZONE);
  const history = simulatedHistory(options, SIM_ZONE, 90);
  const store = new DrinksStore({ seed: options.seed, orders: options.orders, sinceSec: history.sinceSec, untilSec: history.untilSec, now: history.nowSec });
  const apiKey = options.apiKey ?? DEFAULT_SIM_API_KEY;
  const faults = new FaultKnobs<DrinksFaults>(NO_FAULTS, {}, { get: () => store.faults, set: (f) => void (store.faults = f) });
  const harness = new SimulatorHarness({ seed: options.seed, faults, counters: emptyCounters, reset: () => store.reset() });
  const app = await buildDrinksServer({ store, apiKey, counters: harness.counters, faults });
  const tick = () => harness.tick(store);
  const controls = await harness.listen(app, options, {
    stats: () => ({
      orders: store.count(),
      generated: store.generated,
      inserted: store.insertedCount,
      statusChanges: store.statusChanges,
      documents: store.documents.length,
      firstCreateTime: store.count() > 0 ? store.gen.clock.format(store.timeOf(0)) : null,
      lastCreateTime: store.count() > 0 ? store.gen.clock.format(store.timeOf(store.count() - 1)) : null,
    }),
    tick,
    orders: {
      ids: () => store.allIds(),
      get: (id) => store.getOrder(numericId(id)),
      insert: (count) => store.insertOrders(count),
      setStatus: (id, status) => (store.indexOf(numericId(id)) < 0 ? null : store.changeStatus(numericId(id), status)),
      changeRandom: (count) => store.changeRandomOldOrders(count),
    },
    own(sim) {
      sim.get('/documents', async () =>
        store.documents.map((d) => ({ ...d, data: undefined, size: d.data.length, dataBase64: d.data.toString('base64') })),
      );
    },
  });

  return simulatorWith(controls, {
    connection: { kind: 'drinks2cash' as const, baseUrl: controls.baseUrl, apiKey },
    apiKey,
    get documents() {
      return store.documents;
    },
    changeStatus: (n: number | string, status: string) => store.changeStatus(numericId(n), status),
    changeRandomOldOrders: (count: number) => store.changeRandomOldOrders(count),
    insertOrders: (count: number) => store.insertOrders(count),
    allOrderNumbers: () => store.allIds(),
    orderCount: () => store.count(),
    getOrder: (n: number | string) => store.getOrder(numericId(n)),
    statusOf(n: number | string) {
      const i = store.indexOf(numericId(n));
      return i < 0 ? null : store.trueStatus(i);
    },
    windowOrderNumbers(from: string, to: string) {
      const toExcl = clock.startOfDay(DateTime.fromISO(to, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!);
      const [first, end] = store.range(clock.startOfDay(from), toExcl);
      return {
        first: end > first ? store.numberOf(first) : null,
        last: end > first ? store.numberOf(end - 1) : null,
        count: end - first,
      };
    },
    tick,
  });
}
