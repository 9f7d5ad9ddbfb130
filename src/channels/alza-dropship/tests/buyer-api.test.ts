/**
 * orderhub → Alza's Buyer API (the simulator checks tokens, shapes, enumerations and resend limits):
 * Availability batches and intervals, -7 / 429 / 500 handling, and shipment, departure, Track and
 * Trace and delivery results moving the canonical order (with journal entries).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WriteBackRuleError } from '../../../core/errors.ts';
import { silentLogger } from '../../../core/log.ts';
import { BuyerApiClient } from '../buyer/client.ts';
import {
  queueAvailability, queueCreateShipment, queueDeleteShipment, queueDeliveryResult, queueDeparture, queueTrackAndTrace,
} from '../buyer/messages.ts';
import { deliverOutbox, listOutbox, retryMessage } from '../buyer/outbox.ts';
import { alzaDropshipConfigSchema } from '../config.ts';
import { setStock } from '../stock.ts';
import { dropshipDb } from '../store.ts';
import { buyerHttpClient } from '../worker.ts';
import { TestClock, canonical, dropshipRow, journalOf, product, startHarness, type Harness } from './helpers.ts';

const T0 = Date.parse('2025-06-10T08:00:00.000Z');
const clock = new TestClock(T0);
let h: Harness;
let n = 0;

beforeAll(async () => {
  h = await startHarness({ now: clock.now, stock: false });
  await setStock(h.store, h.config, [
    { code: 'TV-1', ean: '8590000000101', name: 'Televize', quantity: 1000, price: '7999.00' },
    { code: 'CABLE', ean: '8590000000118', name: 'Kabel', quantity: 100, price: '59.90' },
  ]);
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  h.sim.clearFaults();
  // every test starts with an empty queue and the resend intervals of the previous one behind it
  for (let i = 0; i < 5 && (await listOutbox(h.store, h.config.name, { state: 'pending' })).length > 0; i++) {
    clock.advance(31);
    await deliver();
  }
  clock.advance(120);
});

const deliver = () => deliverOutbox({ store: h.store, projections: h.projections, config: h.config, client: h.client, now: clock.now, logger: silentLogger() });

async function confirmed(mode: 'Buyer' | 'Supplier', delivery: 'B2C' | 'Branch' = 'B2C', quantity = 2): Promise<string> {
  const order = `DD${60_000_000 + n++}`;
  const r = await h.sim.driver.placeOrder({ orderNumber: order, items: [{ code: 'TV-1', quantity, price: '7999.00' }, { code: 'CABLE', quantity: 1, price: '59.90' }] });
  expect(r.status).toBe(201);
  const c = await h.sim.driver.confirm(order, {
    shipmentShippingMode: mode, shipmentDeliveryType: delivery, shippingCarrier: { shippingCarrierCode: delivery === 'Branch' ? 'ALZA' : 'PPL', shippingCarrierDeliveryType: delivery === 'Branch' ? 'ALZABRANCH' : 'PPL' },
    cashOnDeliveryValue: '19999.00', cashOnDeliveryValueCurrency: 'CZK',
  });
  expect(c.errorCode).toBe(0);
  return order;
}

describe('Availability', () => {
  it('sends Update in batches of at most 10 000 products, keeping to the resend intervals (no -7)', async () => {
    const big = await startHarness({ now: clock.now, stock: false });
    try {
      const rows = Array.from({ length: 25_001 }, (_, i) => ({ code: `P${String(i).padStart(6, '0')}`, ean: String(8_590_000_000_000 + i), name: null, quantity: 1 + (i % 7), price: '10.00' }));
      await setStock(big.store, big.config, rows);
      const queued = await queueAvailability(big.store, big.config, { importType: 'Update', now: clock.now() });
      expect(queued.products).toBe(25_001);
      expect(queued.messageIds).toHaveLength(3);
      const run = () => deliverOutbox({ store: big.store, projections: big.projections, config: big.config, client: big.client, now: clock.now });
      expect((await run()).accepted).toBe(1);
      expect((await run()).accepted).toBe(0); // the next batch waits the short interval (1 min)
      clock.advance(1);
      expect((await run()).accepted).toBe(1);
      clock.advance(1);
      expect((await run()).accepted).toBe(1);
      const sent = big.sim.messagesOf('availability');
      expect(sent.map((m) => (m.body.productList as unknown[]).length)).toEqual([10_000, 10_000, 5_001]);
      expect(sent.map((m) => m.errorCode)).toEqual([0, 0, 0]);
      expect(sent[0]!.body).toMatchObject({ supplierId: 4242, supplierBranchId: 1, importType: 'Update', currency: 'CZK' });
      expect((sent[0]!.body.productList as unknown[])[0]).toEqual({
        code: 'P000000', ean: '8590000000000', quantity: 1, countryPrices: [{ country: 'CZ', currency: 'CZK', vat: 21, purchasePriceWithoutFees: 10.00 }],
      });

      // Only what changed goes into the next Update; after 3 messages in 30 min it waits the default 10 min.
      await setStock(big.store, big.config, [{ code: 'P000005', ean: '8590000000005', name: null, quantity: 99, price: '10.00' }]);
      const next = await queueAvailability(big.store, big.config, { importType: 'Update', now: clock.now() });
      expect(next.products).toBe(1);
      clock.advance(1);
      expect((await run()).accepted).toBe(0);
      clock.advance(9);
      expect((await run()).accepted).toBe(1);
      expect((big.sim.messagesOf('availability').at(-1)!.body.productList as Array<{ code: string; quantity: number }>)).toEqual([expect.objectContaining({ code: 'P000005', quantity: 99 })]);
      expect(big.sim.messages.filter((m) => m.errorCode === -7)).toHaveLength(0);
      // nothing changed: no empty Update
      expect((await queueAvailability(big.store, big.config, { importType: 'Update', now: clock.now() })).messageIds).toEqual([]);
    } finally {
      await big.close();
    }
  });

  it('PartialFull lists only products in stock; reservations lower the quantity', async () => {
    await h.sim.driver.placeOrder({ orderNumber: `DD${60_000_000 + n++}`, items: [{ code: 'TV-1', quantity: 3 }] });
    await setStock(h.store, h.config, [{ code: 'EMPTY', ean: '8590000000200', name: 'Nic', quantity: 0, price: '1.00' }, { code: 'NOEAN', ean: null, name: 'Bez EAN', quantity: 4, price: '1.00' }]);
    const q = await queueAvailability(h.store, h.config, { importType: 'PartialFull', now: clock.now() });
    expect(q.withoutEan).toEqual(['NOEAN']);
    const r = await deliver();
    expect(r.accepted).toBe(1);
    const list = h.sim.messagesOf('availability').at(-1)!.body.productList as Array<{ code: string; quantity: number }>;
    const tv = await product(h.store, 'TV-1');
    expect(list.map((p) => p.code).sort()).toEqual(['CABLE', 'TV-1']);
    expect(list.find((p) => p.code === 'TV-1')!.quantity).toBe(tv.on_hand - tv.reserved);
  });

  it('a -7 waits the default interval before the resend', async () => {
    await setStock(h.store, h.config, [{ code: 'CABLE', ean: '8590000000118', name: 'Kabel', quantity: 101, price: '59.90' }]);
    const q = await queueAvailability(h.store, h.config, { importType: 'Update', now: clock.now() });
    h.sim.setFaults({ forceResendLimit: 1 });
    expect(await deliver()).toMatchObject({ accepted: 0, retrying: 1 });
    const [row] = await listOutbox(h.store, h.config.name, { state: 'pending' });
    expect(row!.id).toBe(q.messageIds[0]);
    expect(row!.last_error).toMatch(/errorCode -7/);
    expect(row!.next_attempt_at).toBe(new Date(clock.ms + 10 * 60_000).toISOString());
    const seen = h.sim.messages.length;
    clock.advance(5);
    expect((await deliver()).accepted).toBe(0);
    expect(h.sim.messages.length).toBe(seen);
    clock.advance(5);
    expect((await deliver()).accepted).toBe(1);
  });

  it('a 429 without a body and a 500 are resent per the intervals', async () => {
    await setStock(h.store, h.config, [{ code: 'CABLE', ean: '8590000000118', name: 'Kabel', quantity: 102, price: '59.90' }]);
    await queueAvailability(h.store, h.config, { importType: 'Update', now: clock.now() });
    h.sim.setFaults({ rateLimitEvery: 1 });
    expect(await deliver()).toMatchObject({ retrying: 1 });
    let [row] = await listOutbox(h.store, h.config.name, { state: 'pending' });
    expect(row!.last_status).toBe(429);
    expect(Date.parse(row!.next_attempt_at)).toBeGreaterThanOrEqual(clock.ms + 60_000);
    h.sim.setFaults({ rateLimitEvery: 0, errorEvery: 1 });
    clock.advance(1);
    expect(await deliver()).toMatchObject({ retrying: 1 });
    [row] = await listOutbox(h.store, h.config.name, { state: 'pending' });
    expect(row!.last_status).toBe(500);
    h.sim.clearFaults();
    clock.advance(15);
    expect((await deliver()).accepted).toBe(1);
  });

  it('a refused message fails, and its products are offered again by the next Update', async () => {
    await setStock(h.store, h.config, [{ code: 'CABLE', ean: '8590000000118', name: 'Kabel', quantity: 103, price: '59.90' }]);
    const q = await queueAvailability(h.store, h.config, { importType: 'Update', now: clock.now() });
    const wrong = alzaDropshipConfigSchema.parse({ ...h.config, secret: 'not-the-secret' });
    const http = buyerHttpClient(wrong, silentLogger());
    try {
      const r = await deliverOutbox({ store: h.store, projections: h.projections, config: wrong, client: new BuyerApiClient(wrong, http), now: clock.now });
      expect(r.failed).toBe(1);
    } finally {
      await http.close();
    }
    const [failed] = await listOutbox(h.store, h.config.name, { state: 'failed' });
    expect(failed!.id).toBe(q.messageIds[0]);
    expect(failed!.last_error).toMatch(/HTTP 401: Alza refused our token/);
    expect((await product(h.store, 'CABLE')).reported).toBeNull();
    const again = await queueAvailability(h.store, h.config, { importType: 'Update', now: clock.now() });
    expect(again.products).toBe(1);
    expect(await retryMessage(h.store, h.config.name, failed!.id, clock.now())).toBe(true);
    clock.advance(15);
    expect((await deliver()).accepted).toBeGreaterThanOrEqual(1);
  });
});

describe('shipments and delivery results', () => {
  it('Supplier shipping mode: departure → shipped (stock leaves), Track and Trace, Delivered → delivered', async () => {
    const order = await confirmed('Supplier');
    const before = await product(h.store, 'TV-1');
    await expect(queueCreateShipment(h.store, h.config, { orders: [order], packageWeights: ['1'] })).rejects.toThrow(WriteBackRuleError);
    await queueDeparture(h.store, h.config, { orders: [order], shipment: 'OWN-1', packages: [{ number: 'PKG-1', weight: '12.5', ttUrl: 'https://track.example/PKG-1' }], now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    const dep = h.sim.messagesOf('departure').at(-1)!;
    expect(dep.path).toBe('/api/v1/shipment/OWN-1/departure');
    expect(dep.body.items).toEqual([
      expect.objectContaining({ order, packageNumber: 'PKG-1', quantity: 2, orderItemId: expect.stringMatching(/^90071992547\d{5}$/) }),
      expect.objectContaining({ order, packageNumber: 'PKG-1', quantity: 1 }),
    ]);
    const after = await product(h.store, 'TV-1');
    expect([after.on_hand, after.reserved]).toEqual([before.on_hand - 2, before.reserved - 2]);
    expect(await canonical(h, order)).toMatchObject({ status: 'shipped', channelStatus: 'departed', trackingNumbers: ['PKG-1'] });
    // Alza can no longer cancel it
    expect((await h.sim.driver.cancel(order)).body).toEqual({ errorCode: -5, errorMessage: 'The order could not be canceled in the departure state.' });

    clock.advance(1);
    await queueTrackAndTrace(h.store, h.config, { order, status: 'Depot', now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(h.sim.messagesOf('track').at(-1)!.body).toMatchObject({ order, shipment: 'OWN-1', status: 'Depot', supplierId: 4242 });
    await expect(queueTrackAndTrace(h.store, h.config, { order, status: 'Lost' })).rejects.toThrow(/not a Track and Trace status/);

    await queueDeliveryResult(h.store, h.config, { order, status: 'Delivered', now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(h.sim.messagesOf('delivery').at(-1)!.body).toMatchObject({ status: 'Delivered', paymentVS: expect.any(String) });
    expect(await canonical(h, order)).toMatchObject({ status: 'delivered', channelStatus: 'delivered', paid: true });
    const journal = await journalOf(h, order);
    expect(journal.map((j) => [j.kind, j.from_status, j.to_status])).toEqual([
      ['created', null, 'new'],
      ['status_changed', 'new', 'confirmed'],
      ['status_changed', 'confirmed', 'shipped'],
      ['status_changed', 'shipped', 'delivered'],
    ]);
    await expect(queueDeliveryResult(h.store, h.config, { order, status: 'Canceled', errorReason: 'x' })).rejects.toThrow(/we can cancel only a confirmed order/);
  });

  it('Buyer shipping mode: Create shipment (processing, Alza\'s numbers), departure, Rejected → returned', async () => {
    const order = await confirmed('Buyer');
    await expect(queueDeparture(h.store, h.config, { orders: [order] })).rejects.toThrow(/shipment must be created first/);
    const created = await queueCreateShipment(h.store, h.config, { orders: [order], packageWeights: ['2.5', '0.75'], now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    const sent = h.sim.messagesOf('shipment.create').at(-1)!;
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ shipmentWeight: 3.25, cashOnDeliveryValue: 19999, cashOnDeliveryValueCurrency: 'CZK', shippingCarrier: { shippingCarrierCode: 'PPL' } });
    expect((sent.body.packages as Array<{ packageId: string }>).map((p) => p.packageId)).toEqual(created.packageIds);
    const rec = JSON.parse((await dropshipRow(h.store, order))!.record) as { shipment: { number: string; packages: Array<{ number: string; fullNumber: string }> } };
    expect(rec.shipment.number).toMatch(/^3\d{7}$/);
    const o = await canonical(h, order);
    expect(o).toMatchObject({ status: 'processing', channelStatus: 'shipment_created' });
    expect(o!.trackingNumbers).toEqual(rec.shipment.packages.map((p) => p.fullNumber));

    clock.advance(1);
    await queueDeparture(h.store, h.config, { orders: [order], now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(h.sim.messagesOf('departure').at(-1)!.path).toBe(`/api/v1/shipment/${rec.shipment.number}/departure`);
    expect((await canonical(h, order))!.status).toBe('shipped');
    await queueDeliveryResult(h.store, h.config, { order, status: 'Rejected', errorReason: 'Zákazník nepřevzal', now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(await canonical(h, order)).toMatchObject({ status: 'returned', channelStatus: 'rejected' });
  });

  it('Delete shipment puts the order back to confirmed', async () => {
    const order = await confirmed('Buyer');
    await queueCreateShipment(h.store, h.config, { orders: [order], packageWeights: ['1'], now: clock.now() });
    await deliver();
    const shipment = (JSON.parse((await dropshipRow(h.store, order))!.record) as { shipment: { number: string } }).shipment.number;
    clock.advance(1);
    await queueDeleteShipment(h.store, h.config, { shipment, now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(h.sim.messagesOf('shipment.delete').at(-1)!.method).toBe('DELETE');
    expect(await canonical(h, order)).toMatchObject({ status: 'confirmed', trackingNumbers: [] });
  });

  it('Delivery result Canceled: the order is cancelled and its goods released', async () => {
    const order = await confirmed('Supplier', 'B2C', 1);
    const held = (await product(h.store, 'TV-1')).reserved;
    await expect(queueDeliveryResult(h.store, h.config, { order, status: 'Canceled' })).rejects.toThrow(/say why/);
    await queueDeliveryResult(h.store, h.config, { order, status: 'Canceled', errorReason: 'Poškozené zboží', now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect(await canonical(h, order)).toMatchObject({ status: 'cancelled', channelStatus: 'cancelled' });
    expect((await product(h.store, 'TV-1')).reserved).toBe(held - 1);
  });

  it('refuses what the rules forbid, before sending anything', async () => {
    const order = await confirmed('Supplier');
    const reserved = `DD${60_000_000 + n++}`;
    await h.sim.driver.placeOrder({ orderNumber: reserved, items: [{ code: 'CABLE', quantity: 1 }] });
    await expect(queueDeparture(h.store, h.config, { orders: [reserved], shipment: 'X', packages: [{ number: 'P', weight: '1' }] })).rejects.toThrow(/only a confirmed order can depart/);
    await expect(queueDeliveryResult(h.store, h.config, { order, status: 'Delivered' })).rejects.toThrow(/reported for a departed order/);
    await expect(queueTrackAndTrace(h.store, h.config, { order, status: 'Depot' })).rejects.toThrow(/follows a departed order/);
    await expect(queueDeparture(h.store, h.config, { orders: [order], shipment: 'X', packages: [{ number: 'P', weight: '-1' }] })).rejects.toThrow(/not a weight/);
    const other = await confirmed('Supplier');
    await expect(queueDeparture(h.store, h.config, { orders: [order, other], shipment: 'X', packages: [{ number: 'P', weight: '1' }] })).rejects.toThrow(/only for Branch delivery/);
    await expect(queueDeparture(h.store, h.config, { orders: ['DD1'], shipment: 'X', packages: [{ number: 'P', weight: '1' }] })).rejects.toThrow(/unknown dropship order DD1/);
    // a queued departure makes Alza's Cancel answer -5
    await queueDeparture(h.store, h.config, { orders: [order], shipment: 'OWN-9', packages: [{ number: 'P9', weight: '1' }], now: clock.now() });
    expect((await h.sim.driver.cancel(order)).errorCode).toBe(-5);
    expect((await dropshipDb(h.store).selectFrom('dropship_outbox').select('state').where('path', '=', '/shipment/OWN-9/departure').executeTakeFirstOrThrow()).state).toBe('pending');
  });

  it('Branch delivery consolidates several orders in one shipment', async () => {
    const a = await confirmed('Buyer', 'Branch', 1);
    const b = await confirmed('Buyer', 'Branch', 1);
    await queueCreateShipment(h.store, h.config, { orders: [a, b], packageWeights: ['4'], now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    const sent = h.sim.messagesOf('shipment.create').at(-1)!;
    expect(new Set((sent.body.items as Array<{ order: string }>).map((i) => i.order))).toEqual(new Set([a, b]));
    expect((await canonical(h, a))!.status).toBe('processing');
    expect((await canonical(h, b))!.status).toBe('processing');
    clock.advance(1);
    await queueDeparture(h.store, h.config, { orders: [a, b], now: clock.now() });
    expect((await deliver()).accepted).toBe(1);
    expect((await canonical(h, b))!.status).toBe('shipped');
  });
});
