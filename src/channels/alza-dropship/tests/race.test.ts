/**
 * Reservations under concurrency, on SQLite (one serialised writer) and PostgreSQL (row locks):
 * never oversell, never reserve twice for a resend, never deadlock.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.ts';
import { countOrders } from '../../../core/store/orders.ts';
import { describeEachStore } from '../../../../test/support/stores.ts';
import type { TestStore } from '../../../../test/support/stores.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from '../config.ts';
import { startDropshipServer, type DropshipServer } from '../routes.ts';
import { AlzaDriver } from '../simulator/driver.ts';
import { listStock, setStock } from '../stock.ts';
import { dropshipDb } from '../store.ts';
import { HTTP_SETTINGS, canonical, openDropshipStore, product } from './helpers.ts';

describeEachStore('alza-dropship reservations under concurrency', (kind) => {
  let ts: TestStore;
  let server: DropshipServer;
  let config: AlzaDropshipConfig;
  let driver: AlzaDriver;

  beforeAll(async () => {
    ts = await openDropshipStore(kind);
    config = alzaDropshipConfigSchema.parse({
      name: 'alza-race', kind: 'alza-dropship', customerId: 1, supplierId: 4242, supplierBranchId: 1, secret: 'race-secret',
      buyerApiUrl: 'http://127.0.0.1:9/api/v1', http: HTTP_SETTINGS,
    });
    server = await startDropshipServer({ store: ts.store, connections: [config], logger: silentLogger(), sweepIntervalMs: 0 });
    driver = new AlzaDriver({ customerId: 1, supplierId: 4242, supplierBranchId: 1, secret: 'race-secret', seed: 1, products: 1, supplierUrl: server.supplierApiUrl, maxResends: 0 });
    await setStock(ts.store, config, [
      { code: 'LAST', ean: '1', name: 'The last one', quantity: 1, price: '10' },
      { code: 'A', ean: '2', name: 'A', quantity: 15, price: '1' },
      { code: 'B', ean: '3', name: 'B', quantity: 15, price: '1' },
      { code: 'PLENTY', ean: '4', name: 'Plenty', quantity: 1000, price: '1' },
    ]);
  });
  afterAll(async () => {
    await driver.close();
    await server.close();
    await ts.cleanup();
  });

  it('20 concurrent Inserts for the last unit: exactly one 201, the others 200 + -3 with quantity 0', async () => {
    const orders = Array.from({ length: 20 }, (_, i) => `DD${80_000_000 + i}`);
    const results = await Promise.all(orders.map((o) => driver.placeOrder({ orderNumber: o, items: [{ code: 'LAST', quantity: 1 }] })));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(won[0]!.errorCode).toBe(0);
    const lost = results.filter((r) => r.status !== 201);
    expect(lost).toHaveLength(19);
    for (const r of lost) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ errorCode: -3, errorMessage: 'Out of stock', errorProducts: [{ code: 'LAST', quantity: 0, limited: false }] });
    }
    const p = await product(ts.store, 'LAST');
    expect(p.reserved).toBe(1);
    const winner = results.findIndex((r) => r.status === 201);
    expect((await canonical(server, orders[winner]!, 'alza-race'))?.status).toBe('new');
    await server.projections.flush();
    const stored = await Promise.all(orders.map((o) => ts.store.db.selectFrom('orders').select('id').where('external_id', '=', o).executeTakeFirst()));
    expect(stored.filter(Boolean)).toHaveLength(1);
  });

  it('an Insert and its resends racing each other make one reservation with one supplierOrder', async () => {
    const order = 'DD81000000';
    const first = driver.placeOrder({ orderNumber: order, items: [{ code: 'PLENTY', quantity: 3 }] });
    await new Promise((r) => setImmediate(r));
    const resends = Array.from({ length: 9 }, () => driver.resend(order, 'insert'));
    const results = await Promise.all([first, ...resends]);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.body!.supplierOrder)).size).toBe(1);
    expect((await product(ts.store, 'PLENTY')).reserved).toBe(3);
    const rows = await dropshipDb(ts.store).selectFrom('dropship_reservations').selectAll().where('order_number', '=', order).execute();
    expect(rows).toEqual([expect.objectContaining({ code_key: 'plenty', quantity: 3 })]);
  });

  it('orders locking the same products in opposite line order neither deadlock nor oversell', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      driver.placeOrder({
        orderNumber: `DD${82_000_000 + i}`,
        items: i % 2 === 0 ? [{ code: 'A', quantity: 1 }, { code: 'B', quantity: 1 }] : [{ code: 'B', quantity: 1 }, { code: 'A', quantity: 1 }],
      }),
    ));
    const won = results.filter((r) => r.status === 201).length;
    expect(won).toBe(15);
    expect(results.filter((r) => r.errorCode === -3)).toHaveLength(15);
    const stock = await listStock(ts.store, config);
    const a = stock.find((s) => s.code === 'A')!;
    const b = stock.find((s) => s.code === 'B')!;
    expect([a.reserved, b.reserved, a.available, b.available]).toEqual([15, 15, 0, 0]);
    expect(a.reservations).toHaveLength(15);
  });

  it('Cancel racing Confirm of one order ends consistent (stock held iff confirmed)', async () => {
    const before = (await product(ts.store, 'PLENTY')).reserved;
    const orders = Array.from({ length: 10 }, (_, i) => `DD${83_000_000 + i}`);
    for (const o of orders) await driver.placeOrder({ orderNumber: o, items: [{ code: 'PLENTY', quantity: 2 }] });
    await Promise.all(orders.flatMap((o) => [driver.confirm(o), driver.cancel(o)]));
    let held = 0;
    for (const o of orders) {
      const row = await dropshipDb(ts.store).selectFrom('dropship_orders').select('state').where('order_number', '=', o).executeTakeFirstOrThrow();
      const c = await canonical(server, o, 'alza-race');
      // the confirm may come first (then Cancel by the default policy cancels it too) or second (-5 for a canceled order)
      expect(['cancelled', 'confirmed']).toContain(row.state);
      expect(c!.channelStatus).toBe(row.state);
      if (row.state === 'confirmed') held += 2;
    }
    expect((await product(ts.store, 'PLENTY')).reserved).toBe(before + held);
    await server.projections.flush();
    expect(await countOrders(ts.store.db, 'alza-race')).toBeGreaterThan(10);
  });
});
