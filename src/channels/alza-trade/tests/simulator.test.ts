/** The simulator itself: determinism, control endpoints, auth answers, scale. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { orderIdOf } from '../schemas.ts';
import { startAlzaTradeSimulator, type AlzaTradeSimulator } from '../simulator/index.ts';

let sim: AlzaTradeSimulator;

async function call(method: 'GET' | 'POST', path: string, opts: { body?: string; headers?: Record<string, string> } = {}) {
  const res = await request(`${sim.baseUrl}${path}`, { method, body: opts.body, headers: opts.headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function token(): Promise<string> {
  const body = new URLSearchParams({ client_id: sim.connection.clientId, client_secret: sim.connection.clientSecret, grant_type: 'client_credentials' }).toString();
  const res = await call('POST', '/connect/token', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(200);
  return res.json().access_token as string;
}

beforeAll(async () => {
  sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 3 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

describe('alza-trade simulator', () => {
  it('is deterministic for a seed', async () => {
    const twin = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 3 });
    const other = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 4 });
    try {
      const id = sim.allOrderIds()[123]!;
      expect(twin.allOrderIds()).toEqual(sim.allOrderIds());
      expect({ ...twin.getOrder(id), created: null }).toEqual({ ...sim.getOrder(id), created: null });
      expect(other.getOrder(other.allOrderIds()[123]!)!.items).not.toEqual(sim.getOrder(id)!.items);
    } finally {
      await Promise.all([twin.close(), other.close()]);
    }
  });

  it('answers 401 without a token, with an unknown one and with an expired one', async () => {
    expect((await call('GET', '/api/v2/orders')).status).toBe(401);
    const bad = await call('GET', '/api/v2/orders', { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const t = await token();
    const ok = await call('GET', '/api/v2/orders?page=1&pageSize=5', { headers: { authorization: `Bearer ${t}` } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ totalCount: 300, page: 1, pageSize: 5 });
    await call('POST', '/__sim/expire-tokens');
    expect((await call('GET', '/api/v2/orders', { headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
    expect(sim.requests.unauthorized).toBe(3);
  });

  it('takes fault knobs and identity settings over /__sim/, refuses unknown ones, and reports stats', async () => {
    const set = await call('POST', '/__sim/faults', { body: JSON.stringify({ rateLimitEvery: 2, retryAfterSeconds: 3 }), headers: { 'content-type': 'application/json' } });
    expect(set.json()).toMatchObject({ rateLimitEvery: 2, retryAfterSeconds: 3 });
    expect(sim.faults.rateLimitEvery).toBe(2);
    const t = await token();
    const auth = { authorization: `Bearer ${t}` };
    expect((await call('GET', '/api/v2/orders', { headers: auth })).status).toBe(200);
    const limited = await call('GET', '/api/v2/orders', { headers: auth });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    const unknown = await call('POST', '/__sim/faults', { body: JSON.stringify({ explode: 1 }), headers: { 'content-type': 'application/json' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatch(/unknown fault knob "explode"/);
    const id = await call('POST', '/__sim/identity', { body: JSON.stringify({ tokenLifetimeSec: 5 }), headers: { 'content-type': 'application/json' } });
    expect(id.json()).toMatchObject({ tokenLifetimeSec: 5 });
    expect(id.json()).not.toHaveProperty('clientSecret');
    const stats = (await call('GET', '/__sim/stats')).json();
    expect(stats).toMatchObject({ orders: 300, blacklisted: false, tokens: { total: 1, good: 1 } });
  });

  it('blacklists after too many bad logins until POST /__sim/reset', async () => {
    const form = (secret: string) => new URLSearchParams({ client_id: sim.connection.clientId, client_secret: secret, grant_type: 'client_credentials' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    for (let k = 0; k < 6; k++) {
      const r = await call('POST', '/connect/token', { body: form('x'), headers });
      expect(r.status).toBe(400);
      expect(r.json().error).toBe('invalid_client');
    }
    expect(sim.blacklisted).toBe(true);
    expect((await call('POST', '/connect/token', { body: form(sim.connection.clientSecret), headers })).status).toBe(400);
    await call('POST', '/__sim/reset');
    expect(sim.blacklisted).toBe(false);
    expect((await call('POST', '/connect/token', { body: form(sim.connection.clientSecret), headers })).status).toBe(200);
  });

  it('lateChangeEvery: random activity returns old Delivered orders too (Delivered → CancelledAfterShipment), off by default', async () => {
    expect(sim.changeRandomOldOrders(12).every((c) => c.from !== 'Delivered')).toBe(true);
    sim.reset();
    expect((await call('POST', '/__sim/faults', { body: JSON.stringify({ lateChangeEvery: 3 }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    const changes = sim.changeRandomOldOrders(12);
    expect(changes).toHaveLength(12);
    const late = changes.filter((_c, k) => (k + 1) % 3 === 0);
    expect(late).toHaveLength(4);
    for (const c of late) expect(c).toMatchObject({ from: 'Delivered', to: 'CancelledAfterShipment' });
    for (const c of changes) expect(sim.stateOf(c.orderNumber)).toBe(c.to);
    expect(changes.filter((c) => c.from === 'Delivered')).toHaveLength(4);
  });

  it('tick() inserts Waiting orders and moves old ones on; changeStatus fills in recipient details', () => {
    const before = sim.orderCount();
    const { inserted, changed } = sim.tick();
    expect(inserted.length).toBeGreaterThan(0);
    expect(sim.orderCount()).toBe(before + inserted.length);
    const moved = new Set(changed.map((c) => c.orderNumber));
    for (const id of inserted.filter((n) => !moved.has(n))) {
      expect(sim.stateOf(id)).toBe('Waiting');
      expect(sim.getOrder(id)!.deliveryAddress).toBeNull();
    }
    for (const c of changed) expect(sim.stateOf(c.orderNumber)).toBe(c.to);
    const [fresh] = sim.insertOrders(1);
    expect(sim.getOrder(fresh!)!.customer).toBeNull();
    sim.changeStatus(fresh!, 'AwaitingLabelCreation');
    expect(sim.getOrder(fresh!)!.deliveryAddress).not.toBeNull();
    expect(sim.getOrder(fresh!)!.shipmentDepartureTime).toMatch(/T16:00:00$/);
  });

  it('serves 100k orders lazily (how fast: bench/simulators.ts)', async () => {
    const big = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 100_000, seed: 9 });
    try {
      const form = new URLSearchParams({ client_id: big.connection.clientId, client_secret: big.connection.clientSecret, grant_type: 'client_credentials' }).toString();
      const tok = await request(`${big.tokenUrl}`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const t = ((await tok.body.json()) as { access_token: string }).access_token;
      const res = await request(`${big.baseUrl}/api/v2/orders?page=400&pageSize=100`, { headers: { authorization: `Bearer ${t}` } });
      const page = (await res.body.json()) as { items: unknown[]; totalCount: number };
      expect(page.totalCount).toBe(100_000);
      expect(page.items.map(orderIdOf)).toEqual(big.allOrderIds().slice(39_900, 40_000));
    } finally {
      await big.close();
    }
  });
});
