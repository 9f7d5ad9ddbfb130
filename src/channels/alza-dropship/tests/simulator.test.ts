/** The simulated Alza: deterministic data, the driver's resends, the Buyer API's checks, live ticks. */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.ts';
import { countOrders } from '../../../core/store/orders.ts';
import { BuyerApiClient } from '../buyer/client.ts';
import { alzaDropshipConfigSchema } from '../config.ts';
import { computeToken, rawPath, rawTokenFromUrl, signatureMessage } from '../hmac.ts';
import { jsonNumber, stringifyJson } from '../json.ts';
import { AlzaDriver } from '../simulator/driver.ts';
import { catalog, orderAt, productAt } from '../simulator/generator.ts';
import { buyerHttpClient } from '../worker.ts';
import { startHarness, type Harness } from './helpers.ts';

describe('generator', () => {
  it('is deterministic per seed and index, with valid EAN-13s and Id64s beyond 2^53', () => {
    expect(productAt(5, 17)).toEqual(productAt(5, 17));
    expect(productAt(5, 17)).not.toEqual(productAt(6, 17));
    for (const p of catalog(5, 200)) {
      const d = p.ean.split('').map(Number);
      const sum = d.slice(0, 12).reduce((s, x, i) => s + x * (i % 2 === 0 ? 1 : 3), 0);
      expect((10 - (sum % 10)) % 10).toBe(d[12]);
      expect(p.price).toMatch(/^\d+\.\d{2}$/);
    }
    const now = new Date('2025-06-06T10:00:00Z'); // a Friday: departure on Monday 14:00
    const orders = Array.from({ length: 1000 }, (_, i) => orderAt(5, i, 200, now));
    expect(new Set(orders.map((o) => o.orderNumber)).size).toBe(1000);
    expect(orders[0]).toEqual(orderAt(5, 0, 200, now));
    expect(orders[0]!.confirm.shipmentDepartureTime).toBe('2025-06-09T14:00:00.000');
    for (const o of orders.slice(0, 50)) {
      expect(o.orderNumber).toMatch(/^DD\d{8}$/);
      for (const it of o.items) expect(BigInt(it.orderItemId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    }
  });
});

describe('driver', () => {
  it('resends with a new timestamp and token until it gets a valid answer', async () => {
    const seen: Array<{ timestamp: string; tokenOk: boolean }> = [];
    const stub = Fastify();
    stub.post('/api/order/:order', async (req, reply) => {
      const body = req.body as { timestamp: string };
      const expected = computeToken('stub-secret', signatureMessage({ client: 1, method: 'POST', path: rawPath(req.raw.url!), timestamp: body.timestamp }));
      seen.push({ timestamp: body.timestamp, tokenOk: rawTokenFromUrl(req.raw.url!) === expected });
      if (seen.length === 1) return reply.code(502).send('Bad gateway');
      if (seen.length === 2) return reply.code(200).type('application/json').send('{"errorCo');
      return reply.code(201).send({ errorCode: 0, errorMessage: '', supplierOrder: 'X1', validUntil: '2025-07-01T00:00:00.000' });
    });
    await stub.listen({ host: '127.0.0.1', port: 0 });
    const clockBase = Date.parse('2025-06-01T10:00:00Z');
    let tick = 0;
    const driver = new AlzaDriver({
      customerId: 1, supplierId: 2, supplierBranchId: 3, secret: 'stub-secret', seed: 1, products: 5, resendDelayMs: 1,
      supplierUrl: `http://127.0.0.1:${(stub.server.address() as { port: number }).port}/api`, now: () => new Date(clockBase + 1000 * tick++),
    });
    try {
      const r = await driver.placeOrder();
      expect(r).toMatchObject({ status: 201, errorCode: 0, attempts: 3 });
      expect(seen.every((s) => s.tokenOk)).toBe(true);
      expect(new Set(seen.map((s) => s.timestamp)).size).toBe(3);
      expect(driver.orders.get(r.orderNumber)).toMatchObject({ state: 'reserved', supplierOrder: 'X1' });
    } finally {
      await driver.close();
      await stub.close();
    }
  });
});

describe('simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('its connection entry is a valid alza-dropship connection', () => {
    const cfg = alzaDropshipConfigSchema.parse({ name: 'sandbox', ...h.sim.connection });
    expect(cfg).toMatchObject({ kind: 'alza-dropship', baseUrl: h.sim.buyerApiUrl, buyerApiUrl: h.sim.buyerApiUrl, customerId: 1, supplierId: 4242, supplierBranchId: 1 });
  });

  it('tick() places, confirms, extends and cancels orders against orderhub', async () => {
    for (let i = 0; i < 12; i++) await h.sim.tickAsync();
    const states = [...h.sim.driver.orders.values()].map((o) => o.state);
    expect(states.filter((s) => s === 'reserved' || s === 'confirmed').length).toBeGreaterThan(0);
    expect(states).toContain('confirmed');
    await h.projections.flush();
    expect(await countOrders(h.store.db, 'alza-drop')).toBe(states.filter((s) => s !== 'out_of_stock' && s !== 'refused').length);
    expect(h.sim.driver.log.every((l) => l.errorCode !== null)).toBe(true);
  });

  it('Buyer API: refuses a wrong token, unknown enumerations, too many products, and too-fast resends (-7)', async () => {
    const http = buyerHttpClient(h.config, silentLogger());
    const client = new BuyerApiClient(h.config, http);
    const wrongCfg = alzaDropshipConfigSchema.parse({ ...h.config, secret: 'nope' });
    const wrongHttp = buyerHttpClient(wrongCfg, silentLogger());
    const at = new Date();
    const body = (o: Record<string, unknown>) => stringifyJson({ supplierId: jsonNumber('4242'), timestamp: '__TIMESTAMP__', ...o });
    try {
      const bad = await new BuyerApiClient(wrongCfg, wrongHttp).attempt({ method: 'POST', path: '/track', body: body({ order: 'DD1', status: 'Depot', statusTimestamp: '2025-06-01T10:00:00.000' }), now: at });
      expect(bad).toMatchObject({ kind: 'refused', status: 401 });
      const carrier = await client.attempt({
        method: 'POST', path: '/shipment', now: at,
        body: body({ supplierBranchId: 1, shippingCarrier: { shippingCarrierCode: 'NOPE', shippingCarrierDeliveryType: 'PPL' }, cashOnDeliveryValue: 0, cashOnDeliveryValueCurrency: 'CZK', shipmentWeight: 1, packages: [{ packageId: 1, weight: 1 }], items: [{ order: 'DD1', packageId: 1, quantity: 1 }] }),
      });
      expect(carrier).toMatchObject({ kind: 'refused', status: 400, errorCode: -2 });
      expect((carrier as { message: string }).message).toMatch(/shippingCarrier.shippingCarrierCode: must be one of ALZA/);
      const tooMany = await client.attempt({
        method: 'POST', path: '/availability', now: at,
        body: body({ supplierBranchId: 1, importType: 'PartialFull', productList: Array.from({ length: 10_001 }, (_, i) => ({ code: `C${i}`, ean: '1', quantity: 1 })) }),
      });
      expect(tooMany).toMatchObject({ kind: 'refused', status: 400, errorCode: -1 });
      const status = await client.attempt({ method: 'POST', path: '/track', body: body({ order: 'DD1', status: 'Lost', statusTimestamp: '2025-06-01T10:00:00.000' }), now: at });
      expect(status).toMatchObject({ kind: 'refused', errorCode: -2 });
      // the Track and Trace of one shipment: the second within a minute is a resend-limit violation
      const known = [...h.sim.driver.orders.keys()][0]!;
      const t1 = await client.attempt({ method: 'POST', path: '/track', body: body({ order: known, shipment: 'SIM-1', status: 'Depot', statusTimestamp: '2025-06-01T10:00:00.000' }), now: at });
      expect(t1.kind).toBe('accepted');
      const t2 = await client.attempt({ method: 'POST', path: '/track', body: body({ order: known, shipment: 'SIM-1', status: 'Delivery', statusTimestamp: '2025-06-01T11:00:00.000' }), now: at });
      expect(t2).toMatchObject({ kind: 'retry', wait: 'default' });
      expect(h.sim.messages.at(-1)).toMatchObject({ kind: 'track', status: 400, errorCode: -7 });
    } finally {
      await http.close();
      await wrongHttp.close();
    }
  });

  it('fault knobs are settable over HTTP', async () => {
    const res = await fetch(`${h.sim.baseUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitEvery: 3, latencyMs: 1 }) });
    expect(await res.json()).toMatchObject({ rateLimitEvery: 3, latencyMs: 1 });
    expect(h.sim.faults.rateLimitEvery).toBe(3);
    h.sim.clearFaults();
    expect(h.sim.faults.rateLimitEvery).toBe(0);
    const messages = await (await fetch(`${h.sim.baseUrl}/__sim/messages`)).json() as unknown[];
    expect(messages.length).toBe(h.sim.messages.length);
  });
});
