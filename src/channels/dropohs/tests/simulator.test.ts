/** The Dropohs simulator itself, over HTTP: faithful envelope and quirks, determinism, scale, knobs. */
import { afterEach, describe, expect, it } from 'vitest';
import type { DropohsSimulator } from '../simulator/index.ts';
import { moneyLiteral } from '../simulator/generator.ts';
import { SIM_NOW, startSim } from './helpers.ts';

let sims: DropohsSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function start(...args: Parameters<typeof startSim>): Promise<DropohsSimulator> {
  const s = await startSim(...args);
  sims.push(s);
  return s;
}

async function get(sim: DropohsSimulator, path: string, token: string | null = sim.token): Promise<{ status: number; body: { code: number; message: string; data: unknown } }> {
  const res = await fetch(`${sim.baseUrl}${path}`, { headers: token === null ? {} : { authorization: token } });
  return { status: res.status, body: (await res.json()) as { code: number; message: string; data: unknown } };
}

type RawOrder = Record<string, unknown> & { id: number; basket: Array<{ id: number; price_retail_vat: number; quantity: number }> };

describe('dropohs simulator: API', () => {
  it('answers in the documented envelope; errors mirror the HTTP status with a Czech message', async () => {
    const sim = await start({ orders: 20 });
    const ok = await get(sim, '/shops');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ code: 200, message: '' });
    expect(Object.keys((ok.body.data as object[])[0]!)).toEqual(['id', 'name', 'url', 'subname', 'description', 'keywords', 'company', 'street', 'city', 'zipcode', 'country']);
    expect(await get(sim, '/shops', 'nope')).toEqual({ status: 401, body: { code: 401, message: 'Neplatný token', data: [] } });
    expect(await get(sim, '/shops', null)).toEqual({ status: 401, body: { code: 401, message: 'Neplatný token', data: [] } });
    expect(await get(sim, '/orders')).toEqual({ status: 400, body: { code: 400, message: 'Parametr shopId je povinný', data: [] } });
    expect((await get(sim, '/orders?shopId=abc')).body.message).toBe('Neplatná hodnota parametru shopId');
    expect((await get(sim, `/orders?shopId=${sim.shopIds[0]}&offset=-1`)).body.message).toBe('Neplatná hodnota parametru offset');
    expect(await get(sim, '/orders?shopId=1')).toEqual({ status: 404, body: { code: 404, message: 'E-shop nebyl nalezen', data: [] } });
    expect((await get(sim, '/nothing')).body).toEqual({ code: 404, message: 'Neznámý požadavek', data: [] });
  });

  it('serves orders in the manual\'s field order, with integer zips, float money and a consistent total', async () => {
    const sim = await start({ orders: 400, shops: 3 });
    const { body } = await get(sim, `/orders?shopId=${sim.shopIds[2]}&offset=0&limit=133`);
    const orders = body.data as RawOrder[];
    expect(orders).toHaveLength(133);
    expect(Object.keys(orders[0]!)).toEqual([
      'id', 'remote_id', 'provider_id', 'created', 'state_id', 'state_text', 'customer_state_id', 'customer_state_text',
      'invoice_firstname', 'invoice_surname', 'invoice_street', 'invoice_city', 'invoice_zipcode', 'country', 'invoice_company',
      'invoice_ico', 'invoice_dic', 'contact_like_invoice', 'contact_firstname', 'contact_surname', 'contact_street', 'contact_city',
      'contact_zipcode', 'contact_company', 'contact_ico', 'contact_dic', 'price', 'paid', 'commision', 'commision_status', 'device',
      'source', 'note', 'basket', 'payment', 'delivery',
    ]);
    // the Slovak shop: zips that lost their leading zero (Žilina 01001 → 1001)
    expect(orders.some((o) => o.country === 'SK' && typeof o.invoice_zipcode === 'number' && o.invoice_zipcode < 10_000)).toBe(true);
    // empties in all three spellings
    const companies = new Set(orders.map((o) => JSON.stringify(o.invoice_company)));
    expect(companies.has('""') && companies.has('null') && companies.has('0')).toBe(true);
    for (const o of orders) {
      expect(typeof o.price).toBe('number');
      const cents = (x: number) => Math.round(x * 100);
      const goods = o.basket.reduce((sum, l) => sum + cents(l.price_retail_vat) * l.quantity, 0);
      const fees = cents((o.payment as { price_vat: number }).price_vat) + cents((o.delivery as { price_vat: number }).price_vat);
      expect(cents(o.price as number)).toBe(goods + fees);
      expect(o.created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });

  it('offset is a record offset; a silent cap serves fewer records; the same request gives the same bytes', async () => {
    const sim = await start({ orders: 100, shops: 1 });
    const shop = sim.shopIds[0]!;
    const listing = sim.listingIds(shop);
    const ids = async (q: string) => ((await get(sim, `/orders?shopId=${shop}&${q}`)).body.data as RawOrder[]).map((o) => String(o.id));
    expect(await ids('offset=3&limit=4')).toEqual(listing.slice(3, 7));
    expect(await ids('offset=98&limit=10')).toEqual(listing.slice(98));
    expect(await ids('offset=100&limit=10')).toEqual([]);
    expect(await ids('')).toEqual(listing.slice(0, 100)); // [INF] default limit 100
    sim.setFaults({ pageCap: 5 });
    expect(await ids('offset=10&limit=50')).toEqual(listing.slice(10, 15));
    const a = await fetch(`${sim.baseUrl}/orders?shopId=${shop}&offset=0&limit=30`, { headers: { authorization: sim.token } }).then((r) => r.text());
    const b = await fetch(`${sim.baseUrl}/orders?shopId=${shop}&offset=0&limit=30`, { headers: { authorization: sim.token } }).then((r) => r.text());
    expect(a).toBe(b);
  });

  it('is deterministic for a seed (and differs for another)', async () => {
    const [a, b, c] = await Promise.all([start({ orders: 200, seed: 5 }), start({ orders: 200, seed: 5 }), start({ orders: 200, seed: 6 })]);
    const page = (s: DropohsSimulator) =>
      fetch(`${s.baseUrl}/orders?shopId=${s.shopIds[1]}&offset=10&limit=20`, { headers: { authorization: s.token } }).then((r) => r.text());
    expect(await page(a)).toBe(await page(b));
    expect(await page(a)).not.toBe(await page(c));
  });

  it('lists products with variants, per shop, with record offsets', async () => {
    const sim = await start({ orders: 10, shops: 2 });
    const { body } = await get(sim, `/products?shopId=${sim.shopIds[0]}&offset=0&limit=1000`);
    const products = body.data as Array<{ id: number; variants: Array<Record<string, unknown>> }>;
    expect(products.length).toBeGreaterThan(15);
    expect(Object.keys(products[0]!.variants[0]!)).toEqual(['id', 'code', 'parameter', 'value', 'price', 'price_vat', 'wholesale_price', 'wholesale_price_vat', 'vat', 'quantity', 'available']);
    const second = (await get(sim, `/products?shopId=${sim.shopIds[0]}&offset=1&limit=1`)).body.data as Array<{ id: number }>;
    expect(second[0]!.id).toBe(products[1]!.id);
    const byId = (await get(sim, `/products?shopId=${sim.shopIds[0]}&id=${products[2]!.id}`)).body.data as Array<{ id: number }>;
    expect(byId.map((p) => p.id)).toEqual([products[2]!.id]);
  });

  it('inserts at the start shift the listing by one; at the end they append', async () => {
    const sim = await start({ orders: 30, shops: 1 });
    const shop = sim.shopIds[0]!;
    const before = sim.listingIds(shop);
    const [first] = sim.insertOrders(1, { shopId: shop, position: 'start' });
    const [last] = sim.insertOrders(1, { shopId: shop, position: 'end' });
    expect(sim.listingIds(shop)).toEqual([String(first), ...before, String(last)]);
    const page = (await get(sim, `/orders?shopId=${shop}&offset=1&limit=2`)).body.data as RawOrder[];
    expect(page.map((o) => String(o.id))).toEqual(before.slice(0, 2));
    expect(Number(first)).toBeGreaterThan(Number(before.at(-1)));
  });

  it('inserts while a client pages (knob), bounded by insertMax', async () => {
    const sim = await start({ orders: 50, shops: 1 });
    const shop = sim.shopIds[0]!;
    sim.setFaults({ insertDuringPaging: 2, insertPosition: 'start', insertMax: 3 });
    await get(sim, `/orders?shopId=${shop}&offset=0&limit=10`);
    await get(sim, `/orders?shopId=${shop}&offset=10&limit=10`);
    await get(sim, `/orders?shopId=${shop}&offset=20&limit=10`);
    expect(sim.orderCount()).toBe(53);
  });

  it('fault knobs over HTTP, with validation', async () => {
    const sim = await start({ orders: 10 });
    const set = (body: unknown) =>
      fetch(`${sim.baseUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await set({ envelopeErrorEvery: 1 });
    expect(await ok.json()).toMatchObject({ envelopeErrorEvery: 1 });
    expect(await get(sim, '/shops')).toEqual({ status: 200, body: { code: 500, message: 'Interní chyba serveru', data: [] } });
    expect((await set({ bogus: 1 })).status).toBe(400);
    expect((await set({ insertPosition: 'middle' })).status).toBe(400);
    await fetch(`${sim.baseUrl}/__sim/faults`, { method: 'DELETE' });
    expect((await get(sim, '/shops')).body.code).toBe(200);
    const stats = (await fetch(`${sim.baseUrl}/__sim/stats`).then((r) => r.json())) as { requests: { total: number } };
    expect(stats.requests.total).toBe(2);
  });

  it('state changes: complaints, random old orders, tick', async () => {
    const sim = await start({ orders: 200, shops: 2 });
    const id = sim.allOrderIds()[5]!;
    sim.changeStatus(id, { stateText: 'Doručeno', customerStateId: 1, customerStateText: 'Reklamace přijata' });
    expect(sim.getOrder(id)).toMatchObject({ state_id: 6, state_text: 'Doručeno', customer_state_id: 1, customer_state_text: 'Reklamace přijata' });
    const changes = sim.changeRandomOldOrders(5);
    expect(changes).toHaveLength(5);
    for (const c of changes) expect(c.from).not.toBe(c.to);
    const before = sim.orderCount();
    const t = sim.tick();
    expect(t.inserted.length).toBeGreaterThan(0);
    expect(sim.orderCount()).toBe(before + t.inserted.length);
    sim.reset();
    expect(sim.orderCount()).toBe(200);
  });
});

describe('dropohs simulator: scale', () => {
  it('serves 100 000 orders lazily: a page from the middle, a full scan and a re-scan (how fast: bench/simulators.ts)', async () => {
    const sim = await start({ orders: 100_000, shops: 3, since: '2023-01-01', now: SIM_NOW });
    const shop = sim.shopIds[1]!;
    const mid = (await get(sim, `/orders?shopId=${shop}&offset=20000&limit=500`)).body.data as RawOrder[];
    expect(mid).toHaveLength(500);

    const scan = async () => {
      let n = 0;
      for (const s of sim.shopIds) {
        for (let offset = 0; ; ) {
          const text = await fetch(`${sim.baseUrl}/orders?shopId=${s}&offset=${offset}&limit=1000`, { headers: { authorization: sim.token } }).then((r) => r.text());
          const count = (JSON.parse(text) as { data: unknown[] }).data.length;
          if (count === 0) break;
          n += count;
          offset += count;
        }
      }
      return n;
    };
    expect(await scan()).toBe(100_000);
    expect(await scan()).toBe(100_000);
  }, 60_000);

  it('caches served pages until the shop\'s listing changes', async () => {
    const sim = await start({ orders: 300, shops: 2 });
    const stats = async () => ((await fetch(`${sim.baseUrl}/__sim/stats`).then((r) => r.json())) as { pageCacheBytes: number }).pageCacheBytes;
    await get(sim, `/orders?shopId=${sim.shopIds[0]}&offset=0&limit=50`);
    const one = await stats();
    await get(sim, `/orders?shopId=${sim.shopIds[1]}&offset=0&limit=50`);
    const two = await stats();
    expect(one).toBeGreaterThan(10_000);
    expect(two).toBeGreaterThan(one);
    const before = (await get(sim, `/orders?shopId=${sim.shopIds[0]}&offset=0&limit=50`)).body.data as RawOrder[];
    sim.changeStatus(String(before[3]!.id), 'Stornováno');
    expect(await stats()).toBe(two - one); // shop 0's pages dropped, shop 1's kept
    const after = (await get(sim, `/orders?shopId=${sim.shopIds[0]}&offset=0&limit=50`)).body.data as RawOrder[];
    expect(after[3]!.state_text).toBe('Stornováno');
  });

  it('moneyLiteral prints like PHP floats', () => {
    expect(moneyLiteral(1_018_900)).toBe('10189');
    expect(moneyLiteral(29_990)).toBe('299.9');
    expect(moneyLiteral(1_999)).toBe('19.99');
    expect(moneyLiteral(5)).toBe('0.05');
    expect(moneyLiteral(-150)).toBe('-1.5');
  });
});
