/**
 * The channel as `orderhub serve` runs it: the Supplier API mounted in the REST API server (Alza's
 * HMAC tokens, no API key), and our users' side under /v1/alza-dropship (API keys and scopes):
 * stock import and listing, dropship orders, Buyer API messages, the outbox. The simulated Alza
 * places and confirms orders over HTTP; the canonical orders show in /v1/orders.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { channels } from '../../registry.ts';
import { describeEachStore } from '../../../../test/support/stores.ts';
import { startTestApi, waitFor, type TestApi } from '../../../../test/api/helpers.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from '../config.ts';
import { startAlzaDropshipSimulator, type AlzaDropshipSimulator } from '../simulator/index.ts';
import { HTTP_SETTINGS } from './helpers.ts';

describeEachStore('alza-dropship mounted by orderhub serve', (kind) => {
  let sim: AlzaDropshipSimulator;
  let api: TestApi;
  let config: AlzaDropshipConfig;
  const base = '/v1/alza-dropship/alza-drop';

  beforeAll(async () => {
    sim = await startAlzaDropshipSimulator({ host: '127.0.0.1', port: 0, orders: 10, seed: 11, products: 12, resendDelayMs: 20 });
    const entry = { name: 'alza-drop', ...sim.connection, http: HTTP_SETTINGS };
    api = await startTestApi(kind, { registry: channels, connections: [entry] });
    config = alzaDropshipConfigSchema.parse(entry);
    await sim.connectTo!({ serverUrl: api.url, store: api.t.store, connection: config });
  });
  afterAll(async () => {
    await api?.close();
    await sim?.close();
  });

  it('seeds the simulator catalog as stock, listed through the API', async () => {
    const res = await api.call('GET', `${base}/stock`, { key: api.readKey });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(12);
    const first = sim.products()[0]!;
    expect(res.body.data).toContainEqual(expect.objectContaining({ code: first.code, ean: first.ean, onHand: first.quantity, reserved: 0, available: first.quantity, reservations: [] }));
  });

  it('an order Alza inserts reserves stock; confirmed, it is a canonical order in /v1/orders', async () => {
    const product = sim.products()[1]!;
    const placed = await sim.driver.placeOrder({ orderNumber: 'DD71000001', items: [{ code: product.code, quantity: 2, price: '100.00' }] });
    expect(placed).toMatchObject({ status: 201, errorCode: 0 });
    const stock = await api.call('GET', `${base}/stock?code=${encodeURIComponent(product.code)}`);
    expect(stock.body.data).toEqual([expect.objectContaining({
      code: product.code, onHand: product.quantity, reserved: 2, available: product.quantity - 2,
      reservations: [{ orderNumber: 'DD71000001', quantity: 2, connection: 'alza-drop' }],
    })]);
    const orders = await api.call('GET', `${base}/orders?state=reserved`);
    expect(orders.body.data.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(['DD71000001']);

    const confirmed = await sim.driver.confirm('DD71000001', { shipmentShippingMode: 'Supplier' });
    expect(confirmed.errorCode).toBe(0);
    const order = await waitFor('the canonical order', async () => {
      const r = await api.call('GET', '/v1/orders/alza-drop:DD71000001', { key: api.readKey });
      // (the reservation is stored as a `new` order at once; the Confirm makes it `confirmed`)
      return r.status === 200 && r.body.order.status === 'confirmed' ? r.body.order : null;
    });
    expect(order).toMatchObject({ channel: 'alza-dropship', connection: 'alza-drop', externalId: 'DD71000001', status: 'confirmed' });
  });

  it('departure, tracking and delivery result go to the Buyer API and move the order', async () => {
    const dep = await api.call('POST', `${base}/departures`, {
      body: { orders: ['DD71000001'], shipment: 'OWN-1', packages: [{ number: 'PKG-1', weight: '1.25', ttUrl: 'https://track.example/PKG-1' }] },
    });
    expect(dep.status).toBe(200);
    expect(dep.body).toMatchObject({ shipment: 'OWN-1', messages: [{ kind: 'departure', state: 'delivered', attempts: 1 }] });
    expect(sim.messagesOf('departure').at(-1)).toMatchObject({ path: '/api/v1/shipment/OWN-1/departure', errorCode: 0 });
    const product = sim.products()[1]!;
    const stock = await api.call('GET', `${base}/stock?code=${encodeURIComponent(product.code)}`);
    expect(stock.body.data[0]).toMatchObject({ onHand: product.quantity - 2, reserved: 0, reservations: [] });

    const track = await api.call('POST', `${base}/orders/DD71000001/tracking`, { body: { status: 'Depot', statusTime: '2026-11-25T10:00:00+01:00' } });
    expect(track.body.messages[0]).toMatchObject({ kind: 'track', state: 'delivered' });
    expect(sim.messagesOf('track').at(-1)!.body).toMatchObject({ order: 'DD71000001', status: 'Depot' });

    const done = await api.call('POST', `${base}/orders/DD71000001/delivery-result`, { body: { status: 'Delivered' } });
    expect(done.body.messages[0]).toMatchObject({ kind: 'delivery', state: 'delivered' });
    const order = (await api.call('GET', '/v1/orders/alza-drop:DD71000001')).body.order;
    expect(order).toMatchObject({ status: 'delivered', trackingNumbers: ['PKG-1'] });

    const outbox = await api.call('GET', `${base}/outbox?state=delivered`, { key: api.readKey });
    expect(outbox.body.data.map((m: { kind: string }) => m.kind).sort()).toEqual(['delivery', 'departure', 'track']);
  });

  it('refuses what breaks the protocol rules with 422, and bad bodies with 400', async () => {
    const early = await api.call('POST', `${base}/orders/DD71000001/delivery-result`, { body: { status: 'Canceled', errorReason: 'x' } });
    expect(early.status).toBe(422);
    expect(early.body.error).toMatchObject({ code: 'write_back_rule', message: expect.stringMatching(/cancel only a confirmed order/) });
    const unknown = await api.call('POST', `${base}/departures`, { body: { orders: ['DD1'], shipment: 'X', packages: [{ number: 'P', weight: '1' }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/unknown dropship order DD1/);
    const badStatus = await api.call('POST', `${base}/orders/DD71000001/tracking`, { body: { status: 'Lost' } });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.code).toBe('validation_failed');
    expect((await api.call('GET', '/v1/alza-dropship/nope/stock')).status).toBe(404);
  });

  it('imports stock as CSV or JSON; a bad file changes nothing and lists every problem', async () => {
    const csv = 'code,ean,name,quantity,price\nNEW-1,8590000000101,"Kabel, 2 m",7,59.90\nNEW-2,,Bez EAN,3,\n';
    const put = await api.call('PUT', `${base}/stock`, { body: csv, headers: { 'content-type': 'text/csv' } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ rows: 2, created: 2, updated: 0, zeroed: 0 });
    const json = await api.call('PUT', `${base}/stock`, { body: [{ code: 'NEW-1', ean: '8590000000101', name: 'Kabel, 2 m', quantity: 9, price: '59.90' }] });
    expect(json.body).toEqual({ rows: 1, created: 0, updated: 1, zeroed: 0 });
    const bad = await api.call('PUT', `${base}/stock`, { body: 'code,ean,name,quantity,price\nNEW-1,,x,-4,1\nNEW-2,,y,lots,1\n', headers: { 'content-type': 'text/csv' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/2 problem/);
    const listed = await api.call('GET', `${base}/stock?code=NEW-1`);
    expect(listed.body.data[0]).toMatchObject({ code: 'NEW-1', name: 'Kabel, 2 m', onHand: 9, price: '59.9' });
  });

  it('needs an API key, and a write key to change anything; the Supplier API needs neither', async () => {
    expect((await api.call('GET', `${base}/stock`, { key: null })).status).toBe(401);
    const ro = await api.call('PUT', `${base}/stock`, { key: api.readKey, body: [{ code: 'X', quantity: 1 }] });
    expect(ro.status).toBe(403);
    expect((await api.call('POST', `${base}/availability`, { key: api.readKey, body: {} })).status).toBe(403);
    // Alza's calls carry its HMAC token instead: a wrong one is refused by the channel, not by the key check
    const forged = await api.call('POST', '/dropship/alza/v1/order/DD71000009?token=AAAA', {
      key: null, body: { customerId: sim.connection.customerId, timestamp: '2026-11-25T10:00:00', supplierBranchId: 1, orderItems: [] },
    });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ errorCode: -1 });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json', { key: null })).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/alza-dropship/{connection}/stock', '/v1/alza-dropship/{connection}/departures', '/v1/alza-dropship/{connection}/outbox',
    ]));
  });
});
