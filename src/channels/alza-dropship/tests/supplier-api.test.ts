/**
 * The Supplier API over HTTP, driven by the simulated Alza: every documented answer of Insert,
 * Confirm, Cancel and Extend (HTTP status + errorCode), in JSON and in K2's XML, and what each does to
 * the stock and to the canonical order in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrders } from '../../../core/store/orders.ts';
import { parseTimestamp } from '../protocol.ts';
import { setStock } from '../stock.ts';
import { canonical, dropshipRow, journalOf, product, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let seq = 0;
const num = () => `DD${String(70_000_000 + seq++)}`;

beforeAll(async () => {
  h = await startHarness();
  await setStock(h.store, h.config, [
    { code: 'ONE', ean: '8590000000011', name: 'Jediný kus', quantity: 1, price: '100.00' },
    { code: 'MANY', ean: '8590000000028', name: 'Hodně kusů', quantity: 1000, price: '50.50' },
    { code: 'FEW', ean: '8590000000035', name: 'Tři kusy', quantity: 3, price: '10.00' },
    { code: '0012', ean: null, name: 'Kód s nulami', quantity: 10, price: null },
  ]);
});
afterAll(async () => {
  await h.close();
});

const driver = () => h.sim.driver;

describe('Insert order', () => {
  it('reserves and answers 201 + 0 with our order number and validUntil (CET, default 30 days)', async () => {
    const before = await product(h.store, 'MANY');
    const order = num();
    const t0 = Date.now();
    const r = await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 3, price: '50.50' }] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ errorCode: 0, errorMessage: '' });
    expect(r.body!.supplierOrder).toMatch(/^OH\d{6}[0-9A-Z]{8}$/);
    expect(r.body!.validUntil).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    const validUntil = Date.parse(parseTimestamp(r.body!.validUntil as string));
    expect(validUntil - t0).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(validUntil - t0).toBeLessThan(30 * 86_400_000 + 60_000);
    expect((await product(h.store, 'MANY')).reserved).toBe(before.reserved + 3);
    const o = await canonical(h, order);
    expect(o).toMatchObject({
      channel: 'alza-dropship', externalId: order, status: 'new', channelStatus: 'reserved', currency: 'CZK',
      shippingAddress: null, billingAddress: null, paid: null, paymentMethod: null,
      totals: { items: '151.50', shipping: null, total: '151.50', taxIncluded: false },
    });
    expect(o!.items).toEqual([expect.objectContaining({ sku: 'MANY', ean: '8590000000028', name: 'Hodně kusů', quantity: '3', unitPriceNet: '50.50', totalNet: '151.50' })]);
    expect((await journalOf(h, order)).map((j) => j.kind)).toEqual(['created']);
  });

  it('keeps Id64 orderItemIds beyond 2^53 exact', async () => {
    const order = num();
    await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 1, orderItemId: '9223372036854775807' }] });
    expect((await canonical(h, order))!.items[0]!.lineId).toBe('9223372036854775807');
  });

  it('matches product codes case-insensitively, outer spaces ignored', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: '  many ', quantity: 1 }] });
    expect(r.status).toBe(201);
  });

  it('answers 200 + -3 with the quantities still available, reserving nothing (all or nothing)', async () => {
    const many = (await product(h.store, 'MANY')).reserved;
    const order = num();
    const r = await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 2 }, { code: 'FEW', quantity: 5 }] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ errorCode: -3, errorMessage: 'Out of stock', errorProducts: [{ code: 'FEW', quantity: 3, limited: false }] });
    expect((await product(h.store, 'MANY')).reserved).toBe(many);
    expect((await product(h.store, 'FEW')).reserved).toBe(0);
    expect(await canonical(h, order)).toBeNull();
    // a later Insert of the same order, after restocking, reserves
    await setStock(h.store, h.config, [{ code: 'FEW', ean: '8590000000035', name: 'Tři kusy', quantity: 10, price: '10.00' }]);
    const again = await driver().resend(order, 'insert');
    expect(again.status).toBe(201);
    expect((await product(h.store, 'FEW')).reserved).toBe(5);
    await setStock(h.store, h.config, [{ code: 'FEW', ean: '8590000000035', name: 'Tři kusy', quantity: 3 + 5, price: '10.00' }]);
  });

  it('answers 400 + -2 "Unknown product X"', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }, { code: 'AXO001_XXX', quantity: 1 }] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errorCode: -2, errorMessage: 'Unknown product AXO001_XXX' });
  });

  it('answers 400 + -2 naming the field for invalid input', async () => {
    const order = num();
    const r = await driver().send('insert', order, { supplierBranchId: h.config.supplierBranchId, itemsPriceCurrency: 'Kč', orderItems: [] });
    expect(r.status).toBe(400);
    expect(r.errorCode).toBe(-2);
    expect(r.body!.errorMessage).toMatch(/itemsPriceCurrency: must be an ISO 4217/);
    expect(r.body!.errorMessage).toMatch(/orderItems: must contain at least one item/);
    const wrongBranch = await driver().send('insert', num(), { supplierBranchId: 99, itemsPriceCurrency: 'CZK', orderItems: [{ orderItemId: 1, code: 'MANY', quantity: 1 }] });
    expect(wrongBranch.status).toBe(400);
    expect(wrongBranch.body!.errorMessage).toMatch(/Unknown supplierBranchId 99/);
  });

  it('answers a resend (same content, new timestamp) like the first time, at any pace', async () => {
    const order = num();
    const first = await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 1 }] });
    const reserved = (await product(h.store, 'MANY')).reserved;
    const again = await Promise.all([driver().resend(order, 'insert'), driver().resend(order, 'insert'), driver().resend(order, 'insert')]);
    for (const a of again) {
      expect(a.status).toBe(201);
      expect(a.body!.supplierOrder).toBe(first.body!.supplierOrder);
      expect(a.body!.validUntil).toBe(first.body!.validUntil);
    }
    expect((await product(h.store, 'MANY')).reserved).toBe(reserved);
  });

  it('refuses different content under a known order number (400 + -2), no second reservation', async () => {
    const order = num();
    await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 1 }] });
    const reserved = (await product(h.store, 'MANY')).reserved;
    const r = await driver().placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 2 }] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ errorCode: -2, errorMessage: `Order ${order} was already inserted with different content; an order number cannot be reused` });
    expect((await product(h.store, 'MANY')).reserved).toBe(reserved);
  });
});

describe('Confirm order', () => {
  it('turns the reservation into a confirmed order with address, carrier, COD and departure (200 + 0)', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 2, price: '50.50' }] });
    const c = await driver().confirm(r.orderNumber, {
      shippingCarrier: { shippingCarrierCode: 'PPL', shippingCarrierDeliveryType: 'PPLPARCELSHOP' },
      shipmentDeliveryType: 'ParcelShop',
      parcelShop: { parcelShopIdentification: 'PPLPARCELSHOP', parcelShopBranchCode: 'KM12345' },
      cashOnDeliveryValue: '1499.90',
      cashOnDeliveryValueCurrency: 'CZK',
      shipmentDepartureTime: '2025-06-02T14:00:00.000',
      paymentVS: '2025000123',
      regNo: '27082440',
      vatNo: 'CZ27082440',
      deliveryAddress: {
        addressName: 'Jana Nováková', companyName: 'Nováková s.r.o.', streetWithNumber: 'Jankovcova 1522/53', city: 'Praha 7',
        country: 'CZ', zip: '01234', phone: '+420777123456', email: 'jana@example.cz', note: 'Zvonit dvakrát',
      },
    });
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ errorCode: 0, errorMessage: '' });
    const o = await canonical(h, r.orderNumber);
    expect(o).toMatchObject({
      status: 'confirmed', channelStatus: 'confirmed', paid: false, paymentMethod: 'cash on delivery',
      shippingMethod: 'PPL PPLPARCELSHOP (PPLPARCELSHOP KM12345)',
      customer: { name: 'Jana Nováková', company: 'Nováková s.r.o.', email: 'jana@example.cz', phone: '+420777123456', companyId: '27082440', vatId: 'CZ27082440' },
      shippingAddress: { name: 'Jana Nováková', company: 'Nováková s.r.o.', street: 'Jankovcova 1522/53', city: 'Praha 7', postalCode: '01234', country: 'CZ', phone: '+420777123456', email: 'jana@example.cz' },
    });
    expect(o!.note).toContain('Zvonit dvakrát');
    expect(o!.note).toContain('departure 2025-06-02T14:00:00.000 (Prague time)');
    expect(o!.note).toContain('cash on delivery 1499.90 CZK');
    const journal = await journalOf(h, r.orderNumber);
    expect(journal.map((j) => [j.kind, j.from_status, j.to_status])).toEqual([['created', null, 'new'], ['status_changed', 'new', 'confirmed']]);
    // a resend gets the same answer; different data is refused
    expect((await driver().resend(r.orderNumber, 'confirm')).body).toEqual({ errorCode: 0, errorMessage: '' });
    const other = await driver().confirm(r.orderNumber, { paymentVS: '999' });
    expect(other.status).toBe(400);
    expect(other.body!.errorMessage).toBe(`Order ${r.orderNumber} is already confirmed with different data`);
    // an Insert resend after Confirm still gets its 201 with the same supplierOrder
    const insertAgain = await driver().resend(r.orderNumber, 'insert');
    expect(insertAgain.status).toBe(201);
    expect(insertAgain.body!.supplierOrder).toBe(r.body!.supplierOrder);
  });

  it('answers 400 + -2 "Unknown order." and for invalid data', async () => {
    const unknown = await driver().confirm('DD00000001');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ errorCode: -2, errorMessage: 'Unknown order.' });
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    const bad = await driver().confirm(r.orderNumber, { shipmentDeliveryType: 'ParcelShop', parcelShop: undefined });
    expect(bad.status).toBe(400);
    expect(bad.body!.errorMessage).toMatch(/parcelShop: is required when shipmentDeliveryType is ParcelShop/);
    expect((await canonical(h, r.orderNumber))!.status).toBe('new');
  });

  it('accepts a carrier it does not know, with a warning in errorMessage (200 + 0)', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    const c = await driver().confirm(r.orderNumber, { shipmentDeliveryType: 'B2C', shippingCarrier: { shippingCarrierCode: 'NEWCARRIER', shippingCarrierDeliveryType: 'NEWCARRIERHD' } });
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ errorCode: 0, errorMessage: 'Warning: unknown shippingCarrierCode NEWCARRIER and shippingCarrierDeliveryType NEWCARRIERHD' });
    expect((await canonical(h, r.orderNumber))!.shippingMethod).toMatch(/^NEWCARRIER NEWCARRIERHD/);
  });

  it('answers 400 + -5 for a canceled order', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    await driver().cancel(r.orderNumber);
    const c = await driver().confirm(r.orderNumber);
    expect(c.status).toBe(400);
    expect(c.body).toEqual({ errorCode: -5, errorMessage: `Order ${r.orderNumber} was canceled.` });
  });
});

describe('Cancel order (DELETE with a JSON body)', () => {
  it('cancels a reservation at once, releasing the stock (200 + 0), also when sent again', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'ONE', quantity: 1 }] });
    expect(r.status).toBe(201);
    expect((await product(h.store, 'ONE')).reserved).toBe(1);
    const c = await driver().cancel(r.orderNumber);
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ errorCode: 0, errorMessage: '' });
    expect((await product(h.store, 'ONE')).reserved).toBe(0);
    expect(await canonical(h, r.orderNumber)).toMatchObject({ status: 'cancelled', channelStatus: 'cancelled' });
    expect((await driver().resend(r.orderNumber, 'cancel')).body).toEqual({ errorCode: 0, errorMessage: '' });
    // the unit is available again
    expect((await driver().placeOrder({ orderNumber: num(), items: [{ code: 'ONE', quantity: 1 }] })).status).toBe(201);
    await setStock(h.store, h.config, [{ code: 'ONE', ean: '8590000000011', name: 'Jediný kus', quantity: 1 + 1, price: '100.00' }]);
  });

  it('answers 400 + -2 "Unknown order."', async () => {
    const c = await driver().cancel('DD00000002');
    expect(c.status).toBe(400);
    expect(c.body).toEqual({ errorCode: -2, errorMessage: 'Unknown order.' });
  });

  it('answers 0 for an order whose Insert was answered out of stock', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'FEW', quantity: 500 }] });
    expect(r.errorCode).toBe(-3);
    expect((await driver().cancel(r.orderNumber)).body).toEqual({ errorCode: 0, errorMessage: '' });
    expect(await canonical(h, r.orderNumber)).toBeNull();
  });

  it('cancels a confirmed order by the default policy, releasing the stock', async () => {
    const reserved = (await product(h.store, 'MANY')).reserved;
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 4 }] });
    await driver().confirm(r.orderNumber);
    expect((await driver().cancel(r.orderNumber)).body).toEqual({ errorCode: 0, errorMessage: '' });
    expect((await product(h.store, 'MANY')).reserved).toBe(reserved);
    const journal = await journalOf(h, r.orderNumber);
    expect(journal.map((j) => j.to_status)).toEqual(['new', 'confirmed', 'cancelled']);
  });

  it('after Confirm may refuse with 200 + -5 (cancelAfterConfirm: reject)', async () => {
    const strict = await startHarness({ config: { cancelAfterConfirm: 'reject' } });
    try {
      const r = await strict.sim.driver.placeOrder();
      await strict.sim.driver.confirm(r.orderNumber);
      const c = await strict.sim.driver.cancel(r.orderNumber);
      expect(c.status).toBe(200);
      expect(c.body).toEqual({ errorCode: -5, errorMessage: 'The order is already being processed and can no longer be canceled.' });
      expect((await canonical(strict, r.orderNumber))!.status).toBe('confirmed');
    } finally {
      await strict.close();
    }
  });
});

describe('Extend order', () => {
  it('extends to the requested validUntil (200 + 0), never to less than now + 12 h', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    // (within reservationDays, 30: longer is granted only up to that, see replay.test.ts)
    const want = new Date(Date.now() + 20 * 86_400_000);
    const e = await driver().extend(r.orderNumber, want);
    expect(e.status).toBe(200);
    expect(e.errorCode).toBe(0);
    expect(Math.abs(Date.parse(parseTimestamp(e.body!.validUntil as string)) - want.getTime())).toBeLessThan(1000);
    expect((await dropshipRow(h.store, r.orderNumber))!.valid_until).toBe(new Date(Date.parse(parseTimestamp(e.body!.validUntil as string))).toISOString());
    // a resend gets the same answer
    expect((await driver().resend(r.orderNumber, 'extend')).body!.validUntil).toBe(e.body!.validUntil);
    const short = await driver().extend(r.orderNumber, new Date(Date.now() + 3_600_000));
    const granted = Date.parse(parseTimestamp(short.body!.validUntil as string));
    expect(granted).toBeGreaterThanOrEqual(Date.now() + 12 * 3_600_000 - 5_000);
    expect((await canonical(h, r.orderNumber))!.note).toContain('reserved until');
  });

  it('answers 400 + -2 for an unknown order and 200 + -5 for a canceled one', async () => {
    const unknown = await driver().extend('DD00000003');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ errorCode: -2, errorMessage: 'Unknown order.', });
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    await driver().cancel(r.orderNumber);
    const e = await driver().extend(r.orderNumber);
    expect(e.status).toBe(200);
    expect(e.errorCode).toBe(-5);
  });
});

describe('K2 XML', () => {
  it('takes XML and answers XML with the error code as its enum name', async () => {
    const order = num();
    const r = await driver().placeOrder({ orderNumber: order, format: 'xml', items: [{ code: '0012', quantity: 2, price: '19.90', orderItemId: '9223372036854775806' }] });
    expect(r.status).toBe(201);
    expect(r.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><InsertOrderResponse xmlns="K2.Dropship.Alza"><errorCode>Success<\/errorCode><errorMessage><\/errorMessage><supplierOrder>OH[0-9A-Z]+<\/supplierOrder><validUntil>[0-9T:.-]+<\/validUntil><\/InsertOrderResponse>$/);
    const o = await canonical(h, order);
    expect(o!.items[0]).toMatchObject({ sku: '0012', lineId: '9223372036854775806', unitPriceNet: '19.90', quantity: '2' });
    // the XML resend of the same content is the same order
    const again = await driver().resend(order, 'insert');
    expect(again.body!.supplierOrder).toBe(r.body!.supplierOrder);

    const out = await driver().placeOrder({ orderNumber: num(), format: 'xml', items: [{ code: 'FEW', quantity: 400 }] });
    expect(out.status).toBe(200);
    expect(out.text).toContain('<errorCode>OutOfStock</errorCode><errorMessage>Out of stock</errorMessage><errorProducts><InsertOrderResponseErrorProduct><code>FEW</code><limited>false</limited><quantity>');
    const unknown = await driver().placeOrder({ orderNumber: num(), format: 'xml', items: [{ code: 'NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('<errorCode>InvalidInput</errorCode><errorMessage>Unknown product NOPE</errorMessage>');

    const c = await driver().confirm(order, { deliveryAddress: { addressName: 'A & B <s.r.o.>', streetWithNumber: 'Husova 5', city: 'Brno', country: 'CZ', zip: '01234', phone: '+420', email: 'a@b.cz' } }, { format: 'xml' });
    expect(c.text).toContain('<ConfirmOrderResponse xmlns="K2.Dropship.Alza"><errorCode>Success</errorCode>');
    expect((await canonical(h, order))!.shippingAddress).toMatchObject({ name: 'A & B <s.r.o.>', postalCode: '01234' });
    const x = await driver().extend(order, undefined, { format: 'xml' });
    expect(x.text).toMatch(/<ExtendOrderResponse xmlns="K2.Dropship.Alza"><errorCode>Success<\/errorCode><errorMessage><\/errorMessage><validUntil>/);
    const k = await driver().cancel(order, { format: 'xml' });
    expect(k.text).toContain('<CancelOrderResponse xmlns="K2.Dropship.Alza"><errorCode>Success</errorCode>');
  });

  it('reads K2\'s ItemsPriceCountry and answers JSON errors with numbers', async () => {
    const order = num();
    const r = await driver().send('insert', order, {
      supplierBranchId: h.config.supplierBranchId, itemsPriceCurrency: 'CZK', ItemsPriceCountry: 'SK',
      orderItems: [{ orderItemId: 5, code: 'MANY', quantity: 1, purchasePriceWithoutFees: 50.5 }],
    });
    expect(r.status).toBe(201);
    expect(r.text).toMatch(/^\{"errorCode":0,/);
    const rec = JSON.parse((await dropshipRow(h.store, order))!.record) as { insert: { itemsPriceCountry: string } };
    expect(rec.insert.itemsPriceCountry).toBe('SK');
  });
});

describe('request framing', () => {
  it('refuses other media types (415), a missing body (400) and unknown paths (404), with no effect', async () => {
    await h.projections.flush();
    const before = await countOrders(h.store.db);
    const url = `${h.server.supplierApiUrl}/order/DD1`;
    const plain = await fetch(`${url}?token=x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ errorCode: -2 });
    const empty = await fetch(`${url}?token=x`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ errorCode: -2, errorMessage: 'The request has no body' });
    const badJson = await fetch(`${url}?token=x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(badJson.status).toBe(400);
    const nowhere = await fetch(`${h.server.supplierApiUrl}/orders/DD1?token=secret-looking`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).not.toContain('secret-looking');
    await h.projections.flush();
    expect(await countOrders(h.store.db)).toBe(before);
  });
});
