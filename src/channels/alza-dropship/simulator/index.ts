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
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { emptyRequestCounters, type RequestCounters } from '../../kit/simulator/api-hooks.ts';
import { FaultKnobs } from '../../kit/simulator/faults.ts';
import { SimulatorHarness, simulatorWith, type SimulatorControls } from '../../kit/simulator/harness.ts';
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

export interface AlzaDropshipSimulator extends RunningSimulator, SimulatorControls<BuyerFaults, RequestCounters> {
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
  /** one step of live activity (fire and forget; see tickAsync) */
  tick(): void;
  tickAsync(): Promise<void>;
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
  const messages: RecordedMessage[] = [];
  const faults = new FaultKnobs<BuyerFaults>(NO_BUYER_FAULTS);
  const harness = new SimulatorHarness({ seed: options.seed, faults, counters: emptyRequestCounters, reset: () => void (messages.length = 0) });
  const state: BuyerApiState = {
    supplierId,
    secret,
    faults,
    now: () => clock().getTime(),
    messages,
    counters: harness.counters,
    knownOrder(orderNumber) {
      const o = driver.orders.get(orderNumber);
      return o ? { orderItemIds: o.order.items.map((i) => i.orderItemId) } : null;
    },
  };
  const app = await buildBuyerApi(state);
  const controls = await harness.listen(app, options, {
    stats: () => ({ orders: driver.orders.size, messages: messages.length }),
    tick: async () => {
      await driver.tick();
      return { orders: driver.orders.size };
    },
    orders: {
      ids: () => [...driver.orders.keys()],
      get: (orderNumber) => driver.orders.get(orderNumber) ?? null,
      unsupported: "Alza's orders reach orderhub through its Supplier API: POST /__sim/tick places (and confirms, extends, cancels) them",
    },
    own(sim) {
      sim.get('/messages', async () => messages);
    },
  });
  const buyerApiUrl = `${controls.baseUrl}/api/v1`;
  let pending: Promise<void> = Promise.resolve();
  let reporter: ActivityReporter | null = null;

  return simulatorWith(controls, {
    buyerApiUrl,
    connection: { kind: 'alza-dropship' as const, baseUrl: buyerApiUrl, buyerApiUrl, customerId, supplierId, supplierBranchId, secret },
    driver,
    setSupplierUrl: (url: string) => driver.setSupplierUrl(url),
    products: () => catalog(options.seed, productCount),
    stockCsv: () => catalogCsv(catalog(options.seed, productCount)),
    get messages() {
      return messages;
    },
    messagesOf: (kind: RecordedMessage['kind']) => messages.filter((m) => m.kind === kind),
    tick() {
      pending = pending.then(() => driver.tick()).catch(() => undefined);
    },
    tickAsync: () => driver.tick(),
    // orderhub serves the Supplier API at serverUrl: the driver calls it, and the branch gets the
    // catalog as stock (only when it has none: a user's own stock is never overwritten)
    async connectTo({ serverUrl, store, connection }: Parameters<NonNullable<RunningSimulator['connectTo']>>[0]) {
      const config = connection as AlzaDropshipConfig;
      driver.setSupplierUrl(`${serverUrl.replace(/\/+$/, '')}${DEFAULT_PREFIX}`);
      if ((await listStock(store, config)).length === 0) await importStockFile(store, config, catalogCsv(catalog(options.seed, productCount)));
      reporter = new ActivityReporter(store, config);
    },
    describeActivity: async () => (reporter ? reporter.describe() : null),
    async close() {
      await pending;
      await driver.close();
      await controls.close();
    },
  });
}
