/**
 * A local Dropohs API for tests, `orderhub sandbox`, the demo and the benchmark.
 *
 * baseUrl is the API root (`http://127.0.0.1:<port>`); the documented paths /shops, /products and
 * /orders hang off it, as they would off the (undocumented) real host.
 */
import { listenLocal } from '../../../sandbox/sim-kit.ts';
import { DateTime } from 'luxon';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { SIM_ZONE, WallClock, hash2, type OrderState, type SimProduct } from './generator.ts';
import { buildDropohsServer, emptyCounters, setFaults, type DropohsRequestCounters, type DropohsServerState } from './server.ts';
import { DropohsStore, NO_FAULTS, type DropohsFaults, type InsertPosition, type StateChange } from './store.ts';
import { SHOPS } from './data.ts';

export type { DropohsFaults, DropohsRequestCounters, StateChange, InsertPosition };
export { NO_FAULTS };

export const DEFAULT_SIM_TOKEN = 'dropohs-sandbox-token';
export const MAX_SIM_SHOPS = SHOPS.length;

export interface DropohsSimulatorOptions extends SimulatorOptions {
  /** the token the server accepts in `Authorization` (default dropohs-sandbox-token) */
  token?: string;
  /** e-shops of the token (1..5, default 3); generated orders are spread over them */
  shops?: number;
  /** pins "now" (UTC ms) for the schedule's end and inserted orders; default the real clock */
  now?: number;
  /** byte budget of the served-page cache (default 256 MB; 0 = off) */
  pageCacheBytes?: number;
}

export interface DropohsSimulator extends RunningSimulator {
  baseUrl: string;
  connection: { kind: 'dropohs'; baseUrl: string; token: string };
  token: string;
  port: number;
  /** the e-shop ids GET /shops lists */
  shopIds: number[];
  readonly requests: DropohsRequestCounters;
  readonly faults: DropohsFaults;
  /** merges knobs (null/undefined → default/off) and restarts the fault cycle */
  setFaults(faults: Partial<DropohsFaults>): DropohsFaults;
  clearFaults(): void;
  /** sets an order's state directly: a state text, or a full state (complaints: customerStateId) */
  changeStatus(orderId: number | string, state: string | (Partial<OrderState> & { stateText: string })): StateChange;
  /** moves random older orders one step on (flow step, complaint opened or settled) */
  changeRandomOldOrders(count: number): StateChange[];
  /** inserts orders created now, at the start or end of a shop's listing; returns their ids */
  insertOrders(count: number, options?: { position?: InsertPosition; shopId?: number; variants?: number[] }): number[];
  /** a new product (fresh variant ids) listed by the given shops (default all) */
  addProduct(options?: { shopIds?: number[]; name?: string }): { productId: number; variantIds: number[]; product: SimProduct };
  /** removes a product from every shop's /products (orders keep naming its variants) */
  delistProduct(productId: number): void;
  /** every order id the API serves now (malformed ones included), as strings */
  allOrderIds(): string[];
  /** ids of orders served malformed under the current knobs */
  malformedOrderIds(): string[];
  orderCount(): number;
  /** a shop's listing as served now (ids in listing order) */
  listingIds(shopId: number): string[];
  /** the order as the API would serve it now, parsed; null for an unknown id */
  getOrder(orderId: number | string): Record<string, unknown> | null;
  /** the true creation instant (UTC ISO) of an order */
  createdAtUtc(orderId: number | string): string | null;
  /** the e-shop id of an order */
  shopOf(orderId: number | string): number | null;
  /** a catalogue variant (delisted ones included) */
  variantInfo(variantId: number): { code: string; productName: string; parameter: string; value: string; vat: number; priceVat: number; productId: number; productEan: string | null; productCode: string | null; variantCount: number } | null;
  /** clears inserted orders, state and catalogue changes, counters and faults */
  reset(): void;
  tick(): { inserted: number[]; changed: StateChange[] };
  close(): Promise<void>;
}

function toId(n: number | string): number {
  return typeof n === 'number' ? n : /^\d+$/.test(n.trim()) ? Number(n) : NaN;
}

export async function startDropohsSimulator(options: DropohsSimulatorOptions): Promise<DropohsSimulator> {
  const nowMs = options.now ?? Date.now();
  const clock = new WallClock(SIM_ZONE);
  const since = options.since ?? DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).minus({ days: 90 }).toISODate()!;
  const store = new DropohsStore({
    seed: options.seed,
    orders: options.orders,
    shops: options.shops ?? 3,
    sinceSec: clock.startOfDay(since),
    startSec: Math.floor(nowMs / 1000),
    now: options.now === undefined ? undefined : () => Math.floor(nowMs / 1000),
    pageCacheBytes: options.pageCacheBytes ?? 256 * 1024 * 1024,
  });
  const token = options.token ?? DEFAULT_SIM_TOKEN;
  let tickState = hash2(options.seed, 0x51ed);
  const state: DropohsServerState = {
    store,
    token,
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
  const app = await buildDropohsServer(state);
  const { port, baseUrl } = await listenLocal(app, options.host, options.port);

  const shopIndex = (shopId: number) => {
    const s = store.shopByApiId(shopId);
    if (!s) throw new RangeError(`the simulator has no e-shop ${shopId}; it has ${store.shops.map((x) => x.seed.id).join(', ')}`);
    return s.index;
  };

  return {
    baseUrl,
    connection: { kind: 'dropohs', baseUrl, token },
    token,
    port,
    shopIds: store.shops.map((s) => s.seed.id),
    get requests() {
      return state.counters;
    },
    get faults() {
      return { ...store.faults };
    },
    setFaults: (f) => setFaults(state, f),
    clearFaults() {
      store.setFaults({ ...NO_FAULTS });
      state.faultTick = 0;
    },
    changeStatus: (id, s) => store.changeState(toId(id), s),
    changeRandomOldOrders: (n) => store.changeRandomOldOrders(n),
    insertOrders: (n, o = {}) =>
      store.insertOrders(n, { position: o.position, shop: o.shopId === undefined ? undefined : shopIndex(o.shopId), variants: o.variants }),
    addProduct(o = {}) {
      const product = store.addProduct(o.shopIds?.map(shopIndex), o.name);
      return { productId: product.id, variantIds: product.variants.map((v) => v.id), product };
    },
    delistProduct: (id) => store.delistProduct(id),
    allOrderIds: () => store.allOrderIds().map(String),
    malformedOrderIds() {
      const out: string[] = [];
      for (let g = 0; g < store.count(); g++) if (store.isMalformed(g)) out.push(String(store.idOf(g)));
      return out;
    },
    orderCount: () => store.count(),
    listingIds: (shopId) => store.listingIds(shopIndex(shopId)).map(String),
    getOrder(id) {
      const g = store.indexOf(toId(id));
      return g < 0 ? null : (JSON.parse(store.orderJson(g)) as Record<string, unknown>);
    },
    createdAtUtc(id) {
      const g = store.indexOf(toId(id));
      return g < 0 ? null : new Date(store.createdSecOf(g) * 1000).toISOString();
    },
    shopOf(id) {
      const g = store.indexOf(toId(id));
      return g < 0 ? null : store.shops[store.shopIndexOf(g)]!.seed.id;
    },
    variantInfo(variantId) {
      const found = store.variant(variantId);
      if (!found) return null;
      const { variant: v, product: p } = found;
      return {
        code: v.code, productName: p.name, parameter: v.parameter, value: v.value, vat: v.vat, priceVat: v.priceVat,
        productId: p.id, productEan: p.ean, productCode: p.code, variantCount: p.variants.length,
      };
    },
    reset: () => state.reset(),
    tick: () => state.tick() as { inserted: number[]; changed: StateChange[] },
    close: () => app.close(),
  };
}
