/** Shared setup: a store with the channel's tables, the simulator, orderhub's Supplier API server. */
import { silentLogger } from '../../../core/log.ts';
import { findOrder, orderJournal } from '../../../core/store/orders.ts';
import type { StoreHandle } from '../../../core/store/db.ts';
import { openTestStore, type StoreKind, type TestStore } from '../../../../test/support/stores.ts';
import { startTestApi, type TestApi } from '../../../../test/api/helpers.ts';
import { channels } from '../../registry.ts';
import { BuyerApiClient } from '../buyer/client.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from '../config.ts';
import { startDropshipServer, type DropshipRoutesOptions, type DropshipServer } from '../routes.ts';
import { importStockFile } from '../stock.ts';
import { dropshipDb } from '../store.ts';
import { startAlzaDropshipSimulator, type AlzaDropshipSimulator, type AlzaDropshipSimulatorOptions } from '../simulator/index.ts';
import { buyerHttpClient } from '../worker.ts';
import type { DropshipProjections } from '../projection.ts';

export const HTTP_SETTINGS = { maxAttempts: 1, requestsPerSecond: 1000, concurrency: 8, timeoutMs: 5000, deadlineMs: 10_000 };

/** A clock tests move by hand. */
export class TestClock {
  constructor(public ms: number) {}
  now = (): Date => new Date(this.ms);
  advance(minutes: number): void {
    this.ms += minutes * 60_000;
  }
}

export interface Harness {
  ts: TestStore;
  store: StoreHandle;
  sim: AlzaDropshipSimulator;
  server: DropshipServer;
  /** the server's projections (flush() stores what it answered) */
  projections: DropshipProjections;
  config: AlzaDropshipConfig;
  client: BuyerApiClient;
  close(): Promise<void>;
}

export async function openDropshipStore(kind: StoreKind): Promise<TestStore> {
  return openTestStore(kind);
}

export async function startHarness(options: {
  kind?: StoreKind;
  sim?: Partial<AlzaDropshipSimulatorOptions>;
  config?: Record<string, unknown>;
  server?: Partial<DropshipRoutesOptions>;
  /** import the simulator's catalog as stock (default true) */
  stock?: boolean;
  now?: () => Date;
} = {}): Promise<Harness> {
  const ts = await openDropshipStore(options.kind ?? 'sqlite');
  const sim = await startAlzaDropshipSimulator({ host: '127.0.0.1', port: 0, orders: 100, seed: 7, products: 40, resendDelayMs: 20, now: options.now, ...options.sim });
  const config = alzaDropshipConfigSchema.parse({ name: 'alza-drop', ...sim.connection, http: HTTP_SETTINGS, ...options.config });
  const server = await startDropshipServer({
    store: ts.store, connections: [config], logger: silentLogger(), sweepIntervalMs: 0, now: options.now, ...options.server,
  });
  sim.setSupplierUrl(server.supplierApiUrl);
  if (options.stock !== false) await importStockFile(ts.store, config, sim.stockCsv());
  const http = buyerHttpClient(config, silentLogger());
  const client = new BuyerApiClient(config, http);
  return {
    ts, store: ts.store, sim, server, projections: server.projections, config, client,
    async close() {
      await server.close();
      await http.close();
      await sim.close();
      await ts.cleanup();
    },
  };
}

export async function dropshipRow(store: StoreHandle, orderNumber: string) {
  return dropshipDb(store).selectFrom('dropship_orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirst();
}

export async function product(store: StoreHandle, code: string) {
  return dropshipDb(store).selectFrom('dropship_products').selectAll().where('code_key', '=', code.trim().toLowerCase()).executeTakeFirstOrThrow();
}

/** The canonical order, after the Supplier API's batched projections (a harness's or server's) are stored. */
export async function canonical(at: { projections: DropshipProjections }, orderNumber: string, connection = 'alza-drop') {
  await at.projections.flush();
  return findOrder(at.projections.store.db, `${connection}:${orderNumber}`);
}

export async function journalOf(at: { projections: DropshipProjections }, orderNumber: string, connection = 'alza-drop') {
  const o = await canonical(at, orderNumber, connection);
  return o ? orderJournal(at.projections.store.db, o.id) : [];
}

/**
 * The REST API with the channel mounted (as `orderhub serve` runs it, no background workers) on a
 * fresh store, with one connection (customerId 1, supplierId 4242, branch 1) whose Buyer API is nowhere.
 */
export async function startServeWithConnection(secret: string): Promise<{ api: TestApi; config: AlzaDropshipConfig }> {
  const entry = {
    name: 'alza-drop', kind: 'alza-dropship', customerId: 1, supplierId: 4242, supplierBranchId: 1, secret,
    buyerApiUrl: 'http://127.0.0.1:9/api/v1', http: HTTP_SETTINGS,
  };
  const api = await startTestApi('sqlite', { registry: channels, connections: [entry], server: { workers: false } });
  return { api, config: alzaDropshipConfigSchema.parse(entry) };
}
