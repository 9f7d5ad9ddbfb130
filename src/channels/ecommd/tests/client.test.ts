/** The client and connector against the simulator over HTTP: auth, headers, language, paging quirks. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../core/http/errors.ts';
import { resolveNextLink } from '../endpoints.ts';
import { ChannelBadRequestError } from '../../kit/errors.ts';
import { createEcommdClient, createdAfterFor, reachesWindowEnd } from '../connector.ts';
import { ECOMMD_CLOSED_STATUSES, ECOMMD_OPEN_STATUSES } from '../status-map.ts';
import type { EcommdSimulator } from '../simulator/index.ts';
import { connectorFor, idsOf, startSim, walkAll, type TestConnector } from './helpers.ts';

let sim: EcommdSimulator;
const open: TestConnector[] = [];
function connector(extra: Record<string, unknown> = {}): TestConnector {
  const c = connectorFor(sim, extra);
  open.push(c);
  return c;
}

beforeAll(async () => {
  sim = await startSim({ orders: 400 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  sim.reset();
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const everything = { kind: 'window' as const, from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };

describe('ecom.md auth', () => {
  it('answers DRF-style 401/403 bodies to missing or wrong tokens', async () => {
    const none = await fetch(`${sim.baseUrl}/external/external-order/`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    const wrong = await fetch(`${sim.baseUrl}/external/external-order/`, { headers: { 'API-Token': 'nope' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ detail: 'Invalid token.' });
  });

  it('turns a refused token into an AuthError that says what to do, without retrying', async () => {
    const { connector: c, ctx } = connector({ apiToken: 'stolen-or-stale' });
    const err = await c.fetchPage(everything, { index: 0, offset: 0, size: 10, token: null }, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toMatch(/^ecom\.md refused the API token \(HTTP 403: Invalid token\.\) — check apiToken/);
    expect(ctx.requests()).toBe(1);
  });

  it('sends API-Token to the order endpoints and token + API-Token to the reference endpoints 1–5', async () => {
    const { connector: c, ctx, config } = connector();
    await walkAll(c, everything);
    const client = createEcommdClient(config, ctx);
    await client.getList('stores', '/external/shop/');
    await client.getList('promocodes', '/external/promocode/');
    const seen = sim.requests.tokenHeaders;
    expect(seen['GET /external/external-order/']).toEqual({ 'api-token': expect.any(Number) });
    expect(seen['GET /external/shop/']).toEqual({ 'api-token': 1, token: 1 });
    expect(seen['GET /external/promocode/']).toEqual({ 'api-token': 1 });
  });
});

describe('ecom.md language', () => {
  it('sends Accept-Language from the connection (ro by default) and gets names in it', async () => {
    const id = sim.allOrderIds().find((i) => {
      const o = sim.getOrder(i) as { customer: { address: { locality: unknown } } };
      return o.customer.address.locality !== null;
    })!;
    const ro = await connector().connector.fetchByIds!([String(id)], new AbortController().signal)[Symbol.asyncIterator]().next();
    const ru = await connector({ language: 'ru' }).connector.fetchByIds!([String(id)], new AbortController().signal)[Symbol.asyncIterator]().next();
    const roOrder = ro.value as { order_items: Array<{ product: { name: string } }>; customer: { address: { region: { name: string } } } };
    const ruOrder = ru.value as typeof roOrder;
    expect(roOrder.order_items[0]!.product.name).toBe((sim.getOrder(id, 'ro') as typeof roOrder).order_items[0]!.product.name);
    expect(ruOrder.order_items[0]!.product.name).toBe((sim.getOrder(id, 'ru') as typeof roOrder).order_items[0]!.product.name);
    expect(ruOrder.customer.address.region.name).toMatch(/[А-Яа-яЁё]/);
    expect(roOrder.customer.address.region.name).not.toMatch(/[А-Яа-яЁё]/);
    expect(sim.requests.languages).toMatchObject({ ro: 1, ru: 1 });
  });
});

describe('ecom.md paging', () => {
  it('follows next links to the end under a silent page cap', async () => {
    sim.setFaults({ pageCap: 37 });
    const { connector: c } = connector({ pageSize: 500 });
    const { records, pages } = await walkAll(c, everything);
    expect(idsOf(records)).toEqual(sim.allOrderIds().map(String));
    expect(pages).toBe(Math.ceil(400 / 37));
  });

  it('follows next links that name another host (DRF behind a proxy) on the configured host only', async () => {
    sim.setFaults({ nextLinkOrigin: 'http://backend.invalid:8000', pageCap: 50 });
    const { connector: c } = connector({ pageSize: 100 });
    const { records } = await walkAll(c, everything);
    expect(records).toHaveLength(400);
    expect(resolveNextLink('http://backend:8000/external/external-order/?page=2&page_size=5', 'https://shop.md')).toBe(
      'https://shop.md/external/external-order/?page=2&page_size=5',
    );
    expect(resolveNextLink('/external/external-order/?page=3', 'https://shop.md/')).toBe('https://shop.md/external/external-order/?page=3');
  });

  it('proves the end by next: null, not by a short page', async () => {
    const { connector: c } = connector({ pageSize: 100 });
    const first = await c.fetchPage(everything, { index: 0, offset: 0, size: 100, token: null }, new AbortController().signal);
    expect(first.records).toHaveLength(100);
    expect(first.last).toBe(false);
    expect(first.nextToken).toMatch(/[?&]page=2(&|$)/);
    sim.setFaults({ pageCap: 30 });
    const capped = await c.fetchPage(everything, { index: 1, offset: 100, size: 100, token: first.nextToken! }, new AbortController().signal);
    // a short page (30 < 100) with a next link is not the end
    expect(capped.records).toHaveLength(30);
    expect(capped.last).toBe(false);
  });

  it('asks for created_after one second before the window, ascending, with the configured page size', async () => {
    const { connector: c } = connector({ pageSize: 77 });
    const from = new Date('2026-10-01T10:00:00.500Z');
    await c.fetchPage({ kind: 'window', from, to: new Date('2026-10-02T00:00:00Z') }, { index: 0, offset: 0, size: 77, token: null }, new AbortController().signal);
    expect(sim.requests.listQueries.at(-1)).toEqual({ created_after: String(Math.floor(from.getTime() / 1000) - 1), ordering: 'created_at', page_size: '77' });
    expect(createdAfterFor(new Date(1_741_710_342_000))).toBe(1_741_710_341);
  });

  it('stops a window walk once an ascending page reaches the window end', async () => {
    const all = sim.allOrderIds().map((id) => sim.getOrder(id) as { id: number; created_at: string });
    const from = new Date(Date.parse(all[100]!.created_at));
    const to = new Date(Date.parse(all[150]!.created_at));
    const { connector: c } = connector({ pageSize: 20 });
    const { records, pages } = await walkAll(c, { kind: 'window', from, to });
    const ids = new Set(idsOf(records));
    for (const o of all.slice(100, 150)) expect(ids.has(String(o.id))).toBe(true);
    // 250 orders follow `from`; without the early stop this would be 13 pages
    expect(pages).toBeLessThanOrEqual(4);
    // an unsorted page proves nothing
    expect(reachesWindowEnd([{ created_at: '2026-01-02T00:00:00Z' }, { created_at: '2026-01-01T00:00:00Z' }], new Date('2025-12-31T00:00:00Z'), 'Europe/Chisinau')).toBe(false);
    expect(reachesWindowEnd([{ created_at: 'garbage' }, { created_at: '2026-01-02T00:00:00Z' }], new Date('2026-01-01T00:00:00Z'), 'Europe/Chisinau')).toBe(true);
  });

  it('applies the API\'s own silent cap of 5000 and still reads everything by next links', async () => {
    const big = await startSim({ orders: 5100, seed: 3 });
    try {
      const raw = await fetch(`${big.baseUrl}/external/external-order/?page_size=9999&ordering=created_at`, { headers: { 'API-Token': big.apiToken } });
      const body = (await raw.json()) as { count: number; next: string | null; results: unknown[] };
      expect(body.count).toBe(5100);
      expect(body.results).toHaveLength(5000);
      expect(body.next).toMatch(/page=2/);
      const c = connectorFor(big, { pageSize: 5000 });
      open.push(c);
      const { records, pages } = await walkAll(c.connector, everything);
      expect(pages).toBe(2);
      expect(new Set(idsOf(records)).size).toBe(5100);
    } finally {
      await big.close();
    }
  });

  it('ascending order keeps pages stable while orders are created during the walk', async () => {
    sim.setFaults({ insertDuringPaging: 3 });
    const before = sim.allOrderIds().map(String);
    const { connector: c } = connector({ pageSize: 40 });
    const { records } = await walkAll(c, everything);
    const ids = idsOf(records);
    // new orders land after the last page read so far: nothing shifts, nothing is read twice or skipped
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, before.length)).toEqual(before);
    expect(sim.orderCount()).toBeGreaterThan(before.length);
  });

  it('rejects a page size above 5000 in the configuration', () => {
    expect(() => connectorFor(sim, { pageSize: 5001 })).toThrow(/pageSize/);
  });
});

describe('ecom.md open orders and single orders', () => {
  it('asks for every non-terminal status and gets exactly the open orders', async () => {
    const { connector: c } = connector({ pageSize: 50 });
    const { records } = await walkAll(c, { kind: 'open' });
    const q = sim.requests.listQueries[0]!;
    expect(q.status!.split(',').sort()).toEqual([...ECOMMD_OPEN_STATUSES].sort());
    const expected = sim.allOrderIds().filter((id) => ECOMMD_OPEN_STATUSES.includes(sim.statusOf(id) as never));
    expect(idsOf(records).sort()).toEqual(expected.map(String).sort());
  });

  it('asks for every closed status created from `from` and gets exactly those orders, a refusal returned to the warehouse among them', async () => {
    const all = sim.allOrderIds();
    const from = new Date(Date.parse(sim.getOrder(all[100]!)!.created_at as string));
    const refused = all.slice(100).find((id) => sim.statusOf(id) === 'customerrefusal')!;
    expect(refused).toBeDefined();
    sim.changeStatus(refused, 'returnedtowarehouse');
    const { connector: c } = connector({ pageSize: 50 });
    const { records } = await walkAll(c, { kind: 'closed', from });
    const q = sim.requests.listQueries[0]!;
    expect(q.status!.split(',').sort()).toEqual([...ECOMMD_CLOSED_STATUSES].sort());
    expect(q.created_after).toBe(String(createdAfterFor(from)));
    const expected = all.slice(100).filter((id) => ECOMMD_CLOSED_STATUSES.includes(sim.statusOf(id) as never));
    expect(idsOf(records).sort()).toEqual(expected.map(String).sort());
    expect(idsOf(records)).toContain(String(refused));
  });

  it('lateChangeEvery: random activity moves old closed orders on too (customerrefusal/done → returnedtowarehouse), off by default', () => {
    expect(sim.changeRandomOldOrders(9).every((c) => ECOMMD_OPEN_STATUSES.includes(c.from as never))).toBe(true);
    sim.reset();
    sim.setFaults({ lateChangeEvery: 3 });
    const changes = sim.changeRandomOldOrders(9);
    expect(changes).toHaveLength(9);
    changes.forEach((c, k) => {
      if ((k + 1) % 3 === 0) expect(['customerrefusal', 'done']).toContain(c.from), expect(c.to).toBe('returnedtowarehouse');
      else expect(ECOMMD_OPEN_STATUSES).toContain(c.from);
    });
    // an order may move more than once: each ends in its last move's status
    for (const c of new Map(changes.map((c) => [c.id, c])).values()) expect(sim.statusOf(c.id)).toBe(c.to);
  });

  it('ends an open walk quietly when the result set shrinks under it ("Invalid page.")', async () => {
    const { connector: c } = connector({ pageSize: 40 });
    const first = await c.fetchPage({ kind: 'open' }, { index: 0, offset: 0, size: 40, token: null }, new AbortController().signal);
    expect(first.nextToken).toBeTruthy();
    // every open order but one closes meanwhile: page 2 no longer exists
    const openIds = sim.allOrderIds().filter((id) => ECOMMD_OPEN_STATUSES.includes(sim.statusOf(id) as never));
    for (const id of openIds.slice(1)) sim.changeStatus(id, 'done');
    const second = await c.fetchPage({ kind: 'open' }, { index: 1, offset: 40, size: 40, token: first.nextToken! }, new AbortController().signal);
    expect(second.records).toEqual([]);
    expect(second.last).toBe(true);
  });

  it('fetches orders by id, skipping unknown ones', async () => {
    const [a, b] = sim.allOrderIds();
    const { connector: c } = connector();
    const got: unknown[] = [];
    for await (const r of c.fetchByIds!([String(a), '999999999', String(b)], new AbortController().signal)) got.push(r);
    expect(idsOf(got)).toEqual([String(a), String(b)]);
  });

  it('reports the channel\'s validation messages on a 400', async () => {
    const { config, ctx } = connector();
    const client = createEcommdClient(config, ctx);
    const err = await client.listOrders({ statuses: ['bogus'], ordering: 'created_at', pageSize: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelBadRequestError);
    expect((err as Error).message).toMatch(/HTTP 400\): status: Select a valid choice\. bogus is not one of the available choices\.$/);
  });

  it('retries 429, 500 (HTML) and truncated bodies', async () => {
    sim.setFaults({ rateLimitEvery: 7, retryAfterSeconds: 0, errorEvery: 5, truncateEvery: 6 });
    const { connector: c } = connector({ pageSize: 25 });
    const { records } = await walkAll(c, everything);
    expect(new Set(idsOf(records)).size).toBe(400);
    expect(sim.requests.byStatus['429']).toBeGreaterThan(0);
    expect(sim.requests.byStatus['500']).toBeGreaterThan(0);
  });
});
