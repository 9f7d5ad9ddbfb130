/** The background worker: availability on schedule, outbox delivery, and catching up a lost projection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.ts';
import { queueDeparture } from '../buyer/messages.ts';
import { listOutbox } from '../buyer/outbox.ts';
import type { DropshipOrderRecord } from '../record.ts';
import { setStock } from '../stock.ts';
import { dropshipDb } from '../store.ts';
import { DropshipWorker, autoAvailability } from '../worker.ts';
import { TestClock, canonical, journalOf, startHarness, type Harness } from './helpers.ts';

// 01:30 Prague time (summer): inside the nightly PartialFull window
const clock = new TestClock(Date.parse('2025-06-09T23:30:00.000Z'));
let h: Harness;
let worker: DropshipWorker;
beforeAll(async () => {
  h = await startHarness({ now: clock.now });
  worker = new DropshipWorker({ store: h.store, projections: h.projections, connections: [h.config], logger: silentLogger(), now: clock.now, clients: new Map([[h.config.name, h.client]]) });
});
afterAll(async () => {
  await worker.close();
  await h.close();
});

describe('automatic availability', () => {
  it('sends one PartialFull a night, then Updates of what changed at most every updateMinutes', async () => {
    expect(await autoAvailability(h.store, h.config, clock.now())).toBe('PartialFull');
    clock.advance(5);
    expect(await autoAvailability(h.store, h.config, clock.now())).toBeNull(); // sent tonight; nothing changed since
    clock.advance(24 * 60); // the next night
    expect(await autoAvailability(h.store, h.config, clock.now())).toBe('PartialFull');
    await worker.tick();
    clock.advance(5);
    expect(await autoAvailability(h.store, h.config, clock.now())).toBeNull(); // sent tonight; nothing changed since
    clock.advance(9 * 60); // 10:40
    const [p] = h.sim.products();
    await setStock(h.store, h.config, [{ ...p!, quantity: p!.quantity + 1 }]);
    expect(await autoAvailability(h.store, h.config, clock.now())).toBe('Update');
    await setStock(h.store, h.config, [{ ...p!, quantity: p!.quantity + 2 }]);
    clock.advance(5);
    expect(await autoAvailability(h.store, h.config, clock.now())).toBeNull();
    clock.advance(5);
    expect(await autoAvailability(h.store, h.config, clock.now())).toBe('Update');
    await worker.tick();
    clock.advance(2);
    await worker.tick();
    clock.advance(2);
    await worker.tick();
    const sent = h.sim.messagesOf('availability');
    expect(sent.map((m) => m.body.importType)).toEqual(['PartialFull', 'PartialFull', 'Update', 'Update']);
    expect(sent.map((m) => m.errorCode)).toEqual([0, 0, 0, 0]);
    expect((sent[3]!.body.productList as Array<{ code: string; quantity: number }>)).toEqual([expect.objectContaining({ code: p!.code, quantity: p!.quantity + 2 })]);
  });
});

describe('worker round', () => {
  it('delivers queued messages and stores a canonical order whose projection was lost', async () => {
    const placed = await h.sim.driver.placeOrder();
    await h.sim.driver.confirm(placed.orderNumber, { shipmentShippingMode: 'Supplier', shipmentDeliveryType: 'B2C', shippingCarrier: { shippingCarrierCode: 'DPD', shippingCarrierDeliveryType: 'DPD' } });
    await queueDeparture(h.store, h.config, { orders: [placed.orderNumber], shipment: 'W-1', packages: [{ number: 'W-P1', weight: '3' }], now: clock.now() });
    clock.advance(1);
    await worker.tick();
    expect((await listOutbox(h.store, h.config.name, { state: 'pending' }))).toEqual([]);
    expect((await canonical(h, placed.orderNumber))!.status).toBe('shipped');

    // A crash between a committed change and its projection: the record moved on, the store did not.
    const db = dropshipDb(h.store);
    const row = await db.selectFrom('dropship_orders').selectAll().where('order_number', '=', placed.orderNumber).executeTakeFirstOrThrow();
    const rec = JSON.parse(row.record) as DropshipOrderRecord;
    await db.updateTable('dropship_orders')
      .set({ state: 'delivered', record: JSON.stringify({ ...rec, state: 'delivered' }), version: row.version + 1 })
      .where('order_number', '=', placed.orderNumber)
      .execute();
    expect((await canonical(h, placed.orderNumber))!.status).toBe('shipped');
    await worker.tick();
    expect((await canonical(h, placed.orderNumber))!.status).toBe('delivered');
    expect((await journalOf(h, placed.orderNumber)).at(-1)).toMatchObject({ kind: 'status_changed', from_status: 'shipped', to_status: 'delivered' });
  });
});
