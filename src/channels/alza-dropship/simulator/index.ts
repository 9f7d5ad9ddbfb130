/**
 * The simulated Alza for `orderhub sandbox`, `npm start` and tests. Two halves:
 *
 * - a Buyer API server (Alza's API that orderhub calls): `connection.buyerApiUrl` points at it;
 * - a driver (Alza calling orderhub's Supplier API): it needs orderhub's address, set with
 *   `setSupplierUrl(url)` once the server runs; `tick()` then places, confirms, extends and cancels.
 *
 * The orders draw from a deterministic catalog: import `stockCsv()` into the connection's stock
 * (`orderhub alza-dropship stock import`) or the Inserts are answered "Unknown product".
 */
import { listenLocal } from '../../../sandbox/sim-kit.ts';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { buildBuyerApi, NO_BUYER_FAULTS, type BuyerApiState, type BuyerFaults, type RecordedMessage } from './buyer-api.ts';
import { AlzaDriver } from './driver.ts';
import { catalog, catalogCsv, type SimProduct } from './generator.ts';
import { ActivityReporter } from './activity.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import { DEFAULT_PREFIX } from '../routes.ts';
import { importStockFile, listStock } from '../stock.ts';

export type { BuyerFaults, RecordedMessage };
export { AlzaDriver, NO_BUYER_FAULTS };

export const SIM_SECRET = 's3Cr37!-sandbox';

export interface AlzaDropshipSimulatorOptions extends SimulatorOptions {
  customerId?: number;
  supplierId?: number;
  supplierBranchId?: number;
  secret?: string;
  /** products in the catalog (default 200) */
  products?: number;
  /** the clock of both halves (resend-limit checks, timestamps); default the real clock */
  now?: () => Date;
  /** orderhub's Supplier API base, if already known */
  supplierUrl?: string;
  /** the driver's wait between resends (default 200 ms) */
  resendDelayMs?: number;
}

export interface AlzaDropshipSimulator extends RunningSimulator {
  /** http://host:port of the Buyer API server */
  baseUrl: string;
  buyerApiUrl: string;
  connection: {
    kind: 'alza-dropship';
    baseUrl: string;
    buyerApiUrl: string;
    customerId: number;
    supplierId: number;
    supplierBranchId: number;
    secret: string;
  };
  driver: AlzaDriver;
  setSupplierUrl(url: string): void;
  products(): SimProduct[];
  /** the catalog as a stock file (code,ean,name,quantity,price) */
  stockCsv(): string;
  /** Buyer API messages received, in order (401s, -7s and refusals included) */
  readonly messages: readonly RecordedMessage[];
  messagesOf(kind: RecordedMessage['kind']): RecordedMessage[];
  readonly faults: BuyerFaults;
  setFaults(faults: Partial<BuyerFaults>): BuyerFaults;
  clearFaults(): void;
  /** forget recorded messages and counters */
  reset(): void;
  readonly requests: { total: number; byStatus: Record<string, number> };
  /** one step of live activity (fire and forget; see tickAsync) */
  tick(): void;
  tickAsync(): Promise<void>;
  close(): Promise<void>;
}

export async function startAlzaDropshipSimulator(options: AlzaDropshipSimulatorOptions): Promise<AlzaDropshipSimulator> {
  const customerId = options.customerId ?? 1;
  const supplierId = options.supplierId ?? 4242;
  const supplierBranchId = options.supplierBranchId ?? 1;
  const secret = options.secret ?? SIM_SECRET;
  const productCount = options.products ?? 200;
  const clock = options.now ?? (() => new Date());
  const driver = new AlzaDriver({
    customerId, supplierId, supplierBranchId, secret, seed: options.seed, products: productCount, now: clock,
    supplierUrl: options.supplierUrl, resendDelayMs: options.resendDelayMs,
  });
  const state: BuyerApiState = {
    supplierId,
    secret,
    faults: { ...NO_BUYER_FAULTS },
    now: () => clock().getTime(),
    messages: [],
    counters: { total: 0, byStatus: {} },
    knownOrder(orderNumber) {
      const o = driver.orders.get(orderNumber);
      return o ? { orderItemIds: o.order.items.map((i) => i.orderItemId) } : null;
    },
  };
  const app = await buildBuyerApi(state);
  app.addHook('onResponse', async (_req, reply) => {
    const k = String(reply.statusCode);
    state.counters.byStatus[k] = (state.counters.byStatus[k] ?? 0) + 1;
  });
  app.post('/__sim/faults', async (request) => {
    Object.assign(state.faults, request.body as Partial<BuyerFaults>);
    return state.faults;
  });
  app.get('/__sim/messages', async () => state.messages);
  const { port, baseUrl } = await listenLocal(app, options.host, options.port);
  const buyerApiUrl = `${baseUrl}/api/v1`;
  let pending: Promise<void> = Promise.resolve();
  let reporter: ActivityReporter | null = null;

  return {
    baseUrl,
    buyerApiUrl,
    connection: { kind: 'alza-dropship', baseUrl: buyerApiUrl, buyerApiUrl, customerId, supplierId, supplierBranchId, secret },
    driver,
    setSupplierUrl: (url) => driver.setSupplierUrl(url),
    products: () => catalog(options.seed, productCount),
    stockCsv: () => catalogCsv(catalog(options.seed, productCount)),
    get messages() {
      return state.messages;
    },
    messagesOf: (kind) => state.messages.filter((m) => m.kind === kind),
    get faults() {
      return { ...state.faults };
    },
    setFaults(f) {
      Object.assign(state.faults, f);
      return { ...state.faults };
    },
    clearFaults() {
      state.faults = { ...NO_BUYER_FAULTS };
    },
    reset() {
      state.messages.length = 0;
      state.counters = { total: 0, byStatus: {} };
    },
    get requests() {
      return state.counters;
    },
    tick() {
      pending = pending.then(() => driver.tick()).catch(() => undefined);
    },
    tickAsync: () => driver.tick(),
    // orderhub serves the Supplier API at serverUrl: the driver calls it, and the branch gets the
    // catalog as stock (only when it has none: a user's own stock is never overwritten)
    async connectTo({ serverUrl, store, connection }) {
      const config = connection as AlzaDropshipConfig;
      driver.setSupplierUrl(`${serverUrl.replace(/\/+$/, '')}${DEFAULT_PREFIX}`);
      if ((await listStock(store, config)).length === 0) await importStockFile(store, config, catalogCsv(catalog(options.seed, productCount)));
      reporter = new ActivityReporter(store, config);
    },
    describeActivity: async () => (reporter ? reporter.describe() : null),
    async close() {
      await pending;
      await driver.close();
      await app.close();
    },
  };
}
