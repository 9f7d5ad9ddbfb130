/**
 * The orders the export tests (API over HTTP, CLI as a child process) export: dropship orders that
 * the simulated Alza places and confirms over HTTP with hostile or accented customer names, as
 * `orderhub serve` receives them, and a refund order with negative money and formula-looking text.
 */
import { request } from 'undici';
import { channels } from '../../src/channels/registry.ts';
import { alzaDropshipConfigSchema } from '../../src/channels/alza-dropship/config.ts';
import { HTTP_SETTINGS } from '../../src/channels/alza-dropship/tests/helpers.ts';
import { startAlzaDropshipSimulator, type AlzaDropshipSimulator } from '../../src/channels/alza-dropship/simulator/index.ts';
import type { CanonicalOrder } from '../../src/core/canonical/order.ts';
import type { StoreKind } from '../support/stores.ts';
import { mapped, putOrders, startTestApi, waitFor, type TestApi } from './helpers.ts';

export const HYPERLINK = '=HYPERLINK("http://x","y")';
export const DDE = "+cmd|' /C calc'!A0";
export const ACCENTED = 'Šťastná Łucja';

/** The dropship orders: number, customer name and how many order lines. */
export const DROPSHIP_ORDERS = [
  { orderNumber: 'DD81000001', name: HYPERLINK, lines: 2 },
  { orderNumber: 'DD81000002', name: DDE, lines: 1 },
  { orderNumber: 'DD81000003', name: ACCENTED, lines: 3 },
] as const;

/** A refund in another connection: negative money stays a number; formula-looking text does not. */
export const REFUND = mapped('7', {
  totals: { items: '-12.50', shipping: '0.00', total: '-12.50', taxIncluded: true },
  customer: { name: '  @SUM(A1:A9)', email: 'refund@example.pl', phone: '+48600100200', company: '-2+3', companyId: null, vatId: null },
  items: [{ lineId: '1', sku: '-SKU', ean: null, name: '\t=1+1', quantity: '-1', unitPriceNet: null, unitPriceGross: '12.50', vatRate: '23', totalNet: null, totalGross: '-12.50' }],
  note: '\r=cmd',
});
/** An order without items: one row with empty item columns in the items layout. */
export const NO_ITEMS = mapped('8', { items: [], customer: { name: '-', email: null, phone: null, company: null, companyId: null, vatId: null } });

export interface ExportFixture {
  api: TestApi;
  sim: AlzaDropshipSimulator;
  /** every order as the NDJSON export gives it (the canonical orders, unchanged), by id */
  orders: Map<string, CanonicalOrder>;
  /** the raw bytes of an API answer (undici's text() would drop a byte order mark) */
  bytes(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>;
  close(): Promise<void>;
}

export async function startExportFixture(kind: StoreKind): Promise<ExportFixture> {
  const sim = await startAlzaDropshipSimulator({ host: '127.0.0.1', port: 0, orders: 0, seed: 17, products: 6, resendDelayMs: 20 });
  const entry = { name: 'alza-drop', ...sim.connection, http: HTTP_SETTINGS };
  const api = await startTestApi(kind, { registry: channels, connections: [entry] });
  try {
    await sim.connectTo!({ serverUrl: api.url, store: api.t.store, connection: alzaDropshipConfigSchema.parse(entry) });
    const products = sim.products();
    for (const [i, o] of DROPSHIP_ORDERS.entries()) {
      const items = Array.from({ length: o.lines }, (_, l) => ({ code: products[(i + l) % products.length]!.code, quantity: 1 + l, price: `${100 + l}.50` }));
      const placed = await sim.driver.placeOrder({ orderNumber: o.orderNumber, items });
      if (placed.errorCode !== 0) throw new Error(`insert ${o.orderNumber}: ${JSON.stringify(placed)}`);
      const address = sim.driver.generated(i).confirm.deliveryAddress as Record<string, unknown>;
      const confirmed = await sim.driver.confirm(o.orderNumber, { deliveryAddress: { ...address, addressName: o.name } });
      if (confirmed.errorCode !== 0) throw new Error(`confirm ${o.orderNumber}: ${JSON.stringify(confirmed)}`);
    }
    await putOrders(api.t.store, 'refunds', [REFUND, NO_ITEMS]);
    const orders = await waitFor('the confirmed dropship orders', async () => {
      const nd = await api.call('GET', '/v1/orders/export?format=ndjson', { key: api.readKey });
      const all = nd.text.trim().split('\n').map((l) => JSON.parse(l) as CanonicalOrder);
      const confirmed = all.filter((o) => o.connection === 'alza-drop' && o.status === 'confirmed');
      return confirmed.length === DROPSHIP_ORDERS.length && all.length === DROPSHIP_ORDERS.length + 2 ? all : null;
    });
    const bytes: ExportFixture['bytes'] = async (path) => {
      const res = await request(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.readKey}` } });
      return { status: res.statusCode, headers: res.headers as Record<string, unknown>, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    return {
      api, sim, bytes,
      orders: new Map(orders.map((o) => [o.id, o])),
      close: async () => {
        await api.close();
        await sim.close();
      },
    };
  } catch (err) {
    await api.close();
    await sim.close();
    throw err;
  }
}

const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** Cells a spreadsheet would run as a formula: none may be left in an export. */
export function liveFormulas(rows: string[][]): string[] {
  return rows.flat().filter((cell) => FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell));
}
