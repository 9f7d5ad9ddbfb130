/**
 * A local Dropohs API for tests, `orderhub sandbox`, the demo and the benchmark.
 *
 * baseUrl is the API root (`http://127.0.0.1:<port>`); the documented paths /shops, /products and
 * /orders hang off it, as they would off the (undocumented) real host.
 */
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { ControlError } from '../../kit/simulator/control.ts';
import { FaultKnobs, oneOf } from '../../kit/simulator/faults.ts';
import { SimulatorHarness, simulatedHistory, simulatorWith, type SimulatorControls } from '../../kit/simulator/harness.ts';
import { numericId } from '../../kit/simulator/numbering.ts';
import { SIM_ZONE, type OrderState, type SimProduct } from './generator.ts';
import { buildDropohsServer, emptyCounters, type DropohsRequestCounters } from './server.ts';
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

export interface DropohsSimulator extends RunningSimulator, SimulatorControls<DropohsFaults, DropohsRequestCounters> {
  connection: { kind: 'dropohs'; baseUrl: string; token: string };
  token: string;
  /** the e-shop ids GET /shops lists */
  shopIds: number[];
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
  tick(): { inserted: number[]; changed: StateChange[] };
}

export async function startDropohsSimulator(options: DropohsSimulatorOptions): Promise<DropohsSimulator> {
  const history = simulatedHistory(options, SIM_ZONE, 90);
  const store = new DropohsStore({
    seed: options.seed,
    orders: options.orders,
    shops: options.shops ?? 3,
    sinceSec: history.sinceSec,
    startSec: history.untilSec,
    now: history.nowSec,
    pageCacheBytes: options.pageCacheBytes ?? 256 * 1024 * 1024,
  });
  const token = options.token ?? DEFAULT_SIM_TOKEN;
  const faults = new FaultKnobs<DropohsFaults>(NO_FAULTS, { insertPosition: oneOf('start', 'end', 'alternate') }, { get: () => store.faults, set: (f) => store.setFaults(f) });
  const harness = new SimulatorHarness({ seed: options.seed, faults, counters: emptyCounters, reset: () => store.reset() });
  const app = await buildDropohsServer({ store, token, counters: harness.counters, faults });
  const tick = () => harness.tick(store);
  /** the index of an e-shop id (what the API calls shopId) */
  const shopIndex = (shopId: number) => {
    const s = store.shopByApiId(shopId);
    if (!s) throw new RangeError(`the simulator has no e-shop ${shopId}; it has ${store.shops.map((x) => x.seed.id).join(', ')}`);
    return s.index;
  };
  const order = (id: number | string) => {
    const g = store.indexOf(numericId(id));
    return g < 0 ? null : store.orderJson(g);
  };
  const controls = await harness.listen(app, options, {
    stats: () => ({
      orders: store.count(),
      generated: store.generated,
      inserted: store.count() - store.generated,
      insertedDuringPaging: store.insertedDuringPaging,
      stateChanges: store.stateChanges,
      pageCacheBytes: store.pageCacheSize,
      shops: store.shops.map((s) => ({ id: s.seed.id, name: s.seed.name, orders: store.listingLength(s.index), products: s.listed.length })),
    }),
    tick,
    orders: {
      ids: () => store.allOrderIds(),
      get: order,
      insert(count, body) {
        const position: InsertPosition = body.position === 'start' ? 'start' : 'end';
        const shop = body.shopId === undefined ? undefined : store.shopByApiId(Number(body.shopId))?.index;
        if (body.shopId !== undefined && shop === undefined) throw new ControlError(404, `no e-shop ${String(body.shopId)}`);
        const variants = Array.isArray(body.variants) ? body.variants.map(Number) : undefined;
        return store.insertOrders(count, { position, shop, variants });
      },
      setStatus(id, status, body) {
        if (store.indexOf(numericId(id)) < 0) return null;
        return store.changeState(numericId(id), {
          stateText: status,
          stateId: typeof body.stateId === 'number' ? body.stateId : undefined,
          customerStateId: typeof body.customerStateId === 'number' ? body.customerStateId : null,
          customerStateText: typeof body.customerStateText === 'string' ? body.customerStateText : null,
        });
      },
      changeRandom: (count) => store.changeRandomOldOrders(count),
    },
    own(sim) {
      sim.post('/products', async (request) => {
        const body = (request.body ?? {}) as { shopIds?: unknown; name?: unknown };
        const shops = Array.isArray(body.shopIds)
          ? body.shopIds.map((id) => store.shopByApiId(Number(id))?.index).filter((i): i is number => i !== undefined)
          : undefined;
        const p = store.addProduct(shops, typeof body.name === 'string' ? body.name : undefined);
        return { productId: p.id, variantIds: p.variants.map((v) => v.id) };
      });
      sim.delete('/products/:id', async (request) => {
        store.delistProduct(Number((request.params as { id: string }).id));
        return { ok: true };
      });
    },
  });

  return simulatorWith(controls, {
    connection: { kind: 'dropohs' as const, baseUrl: controls.baseUrl, token },
    token,
    shopIds: store.shops.map((s) => s.seed.id),
    changeStatus: (id: number | string, s: string | (Partial<OrderState> & { stateText: string })) => store.changeState(numericId(id), s),
    changeRandomOldOrders: (n: number) => store.changeRandomOldOrders(n),
    insertOrders: (n: number, o: { position?: InsertPosition; shopId?: number; variants?: number[] } = {}) =>
      store.insertOrders(n, { position: o.position, shop: o.shopId === undefined ? undefined : shopIndex(o.shopId), variants: o.variants }),
    addProduct(o: { shopIds?: number[]; name?: string } = {}) {
      const product = store.addProduct(o.shopIds?.map(shopIndex), o.name);
      return { productId: product.id, variantIds: product.variants.map((v) => v.id), product };
    },
    delistProduct: (id: number) => store.delistProduct(id),
    allOrderIds: () => store.allOrderIds().map(String),
    malformedOrderIds() {
      const out: string[] = [];
      for (let g = 0; g < store.count(); g++) if (store.isMalformed(g)) out.push(String(store.idOf(g)));
      return out;
    },
    orderCount: () => store.count(),
    listingIds: (shopId: number) => store.listingIds(shopIndex(shopId)).map(String),
    getOrder(id: number | string) {
      const json = order(id);
      return json === null ? null : (JSON.parse(json) as Record<string, unknown>);
    },
    createdAtUtc(id: number | string) {
      const g = store.indexOf(numericId(id));
      return g < 0 ? null : new Date(store.createdSecOf(g) * 1000).toISOString();
    },
    shopOf(id: number | string) {
      const g = store.indexOf(numericId(id));
      return g < 0 ? null : store.shops[store.shopIndexOf(g)]!.seed.id;
    },
    variantInfo(variantId: number) {
      const found = store.variant(variantId);
      if (!found) return null;
      const { variant: v, product: p } = found;
      return {
        code: v.code, productName: p.name, parameter: v.parameter, value: v.value, vat: v.vat, priceVat: v.priceVat,
        productId: p.id, productEan: p.ean, productCode: p.code, variantCount: p.variants.length,
      };
    },
    tick,
  });
}
