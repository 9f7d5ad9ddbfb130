/**
 * A local ecom.md server for tests, `orderhub sandbox` and the demo. baseUrl is the server root
 * (`http://127.0.0.1:<port>`), like the connection's `https://admin.ecom.md`.
 */
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { FaultKnobs, type KnobRule } from '../../kit/simulator/faults.ts';
import { SimulatorHarness, simulatedHistory, simulatorWith, type SimulatorControls } from '../../kit/simulator/harness.ts';
import { numericId } from '../../kit/simulator/numbering.ts';
import { langOf, type Lang } from './data.ts';
import { SIM_ZONE } from './generator.ts';
import { emptyCounters, type EcommdRequestCounters } from './counters.ts';
import { buildEcommdServer } from './server.ts';
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

export interface EcommdSimulator extends RunningSimulator, SimulatorControls<EcommdFaults, EcommdRequestCounters> {
  connection: { kind: 'ecommd'; baseUrl: string; apiToken: string };
  apiToken: string;
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
  tick(): { inserted: number[]; changed: StatusChange[] };
}

/** DRF behind a proxy: the origin its `next` links carry */
const origin: KnobRule = (value) => {
  if (typeof value !== 'string' || !/^https?:\/\/[^/]+$/.test(value)) throw new TypeError('fault knob "nextLinkOrigin" must be an origin such as http://backend:8000');
  return value;
};

export async function startEcommdSimulator(options: EcommdSimulatorOptions): Promise<EcommdSimulator> {
  const history = simulatedHistory(options, SIM_ZONE, 90);
  const store = new EcommdStore({
    seed: options.seed,
    orders: options.orders,
    sinceMs: history.sinceSec * 1000,
    untilMs: history.nowMs,
    now: options.now === undefined ? undefined : () => history.nowMs,
  });
  const apiToken = options.apiToken ?? DEFAULT_SIM_API_TOKEN;
  const faults = new FaultKnobs<EcommdFaults>(NO_FAULTS, { nextLinkOrigin: origin }, { get: () => store.faults, set: (f) => void (store.faults = f) });
  const harness = new SimulatorHarness({ seed: options.seed, faults, counters: emptyCounters, reset: () => store.reset() });
  const app = await buildEcommdServer({ store, apiToken, counters: harness.counters, faults });
  const tick = () => harness.tick(store);
  const controls = await harness.listen(app, options, {
    stats: () => ({ orders: store.count(), generated: store.generated, inserted: store.insertedCount, statusChanges: store.statusChanges }),
    tick,
    orders: {
      ids: () => store.allIds(),
      get(id, request) {
        const index = store.indexOf(numericId(id));
        return index < 0 ? null : store.order(index, langOf(request.headers['accept-language']));
      },
      insert: (count) => store.insertOrders(count),
      setStatus: (id, status) => (store.indexOf(numericId(id)) < 0 ? null : store.changeStatus(numericId(id), status)),
      changeRandom: (count) => store.changeRandomOldOrders(count),
    },
  });

  return simulatorWith(controls, {
    connection: { kind: 'ecommd' as const, baseUrl: controls.baseUrl, apiToken },
    apiToken,
    changeStatus: (id: number | string, status: string) => store.changeStatus(numericId(id), status),
    changeRandomOldOrders: (count: number) => store.changeRandomOldOrders(count),
    insertOrders: (count: number) => store.insertOrders(count),
    allOrderIds: () => store.allIds(),
    malformedIds: () => store.malformedIds(),
    orderCount: () => store.count(),
    getOrder(id: number | string, lang: Lang = 'ro') {
      const i = store.indexOf(numericId(id));
      return i < 0 ? null : store.order(i, lang);
    },
    statusOf(id: number | string) {
      const i = store.indexOf(numericId(id));
      return i < 0 ? null : store.status(i);
    },
    tick,
  });
}
