/**
 * Paging and filters against the simulator over HTTP, driven by the core pager (walkPages) as the
 * engine drives it: silent page caps, proven ends, the open-state query, the unshipped endpoint, and
 * an API that contradicts its own totalCount.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PagingError } from '../../../core/errors.ts';
import { walkPages } from '../../../core/sync/pager.ts';
import type { PullQuery } from '../../../core/connector.ts';
import { testConnectorContext, type TestContext } from '../../../../test/support/connector-context.ts';
import { ALZA_STATES, CLOSED_ALZA_STATES, OPEN_ALZA_STATES, formatWireTime, orderIdOf, parseWireTime, stateOf } from '../schemas.ts';
import { AlzaBadRequestError } from '../client.ts';
import { alzaTradeConfigSchema } from '../config.ts';
import { createAlzaTradeConnector, type AlzaTradeConnector } from '../connector.ts';
import { startAlzaTradeSimulator, type AlzaTradeSimulator } from '../simulator/index.ts';

const ZONE = 'Europe/Prague';
const SINCE = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
let sim: AlzaTradeSimulator;
const contexts: TestContext[] = [];

function connector(overrides: Record<string, unknown> = {}, baseUrl?: string): AlzaTradeConnector {
  const c = testConnectorContext({ timeZone: ZONE });
  contexts.push(c);
  const config = alzaTradeConfigSchema.parse({ name: 'alza', ...sim.connection, pageSize: 20, ...(baseUrl ? { baseUrl } : {}), ...overrides });
  return createAlzaTradeConnector(config, c, { lock: { pollMs: 5 } });
}

async function walk(conn: AlzaTradeConnector, query: PullQuery): Promise<{ ids: string[]; pages: number; records: unknown[] }> {
  const records: unknown[] = [];
  const pages = await walkPages(conn, query, new AbortController().signal, async (page) => {
    records.push(...page);
  });
  return { ids: records.map((r) => orderIdOf(r)!), pages, records };
}

/** an order's creation instant, as the simulator serves it */
const createdOf = (id: string): Date => new Date(Date.parse(parseWireTime(sim.getOrder(id)!.created as string, ZONE)));

const everything = (): PullQuery => ({ kind: 'window', from: new Date(Date.parse(SINCE) - 86_400_000), to: new Date(Date.now() + 60_000) });

beforeAll(async () => {
  sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 230, seed: 5, since: SINCE });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

describe('paging', () => {
  it('stops on the proven end (totalCount) without asking for an empty page', async () => {
    const { ids, pages } = await walk(connector(), everything());
    expect(ids).toEqual(sim.allOrderIds());
    expect(pages).toBe(Math.ceil(230 / 20));
    expect(sim.requests.byEndpoint['GET /api/v2/orders']).toBe(12);
  });

  it('gets every order exactly once under a silent page-size cap', async () => {
    sim.setFaults({ pageCap: 7 });
    const { ids, pages } = await walk(connector(), everything());
    expect(ids).toEqual(sim.allOrderIds());
    expect(new Set(ids).size).toBe(230);
    expect(pages).toBe(Math.ceil(230 / 7));
  });

  it('filters by creation window', async () => {
    const all = sim.allOrderIds();
    const from = new Date(Date.parse(parseWireTime(sim.getOrder(all[50]!)!.created as string, ZONE)));
    const to = new Date(Date.parse(parseWireTime(sim.getOrder(all[120]!)!.created as string, ZONE)));
    const { ids } = await walk(connector(), { kind: 'window', from, to });
    // widened by whole seconds, never narrowed: 50..120 at least, and nothing far outside
    expect(ids).toEqual(expect.arrayContaining(all.slice(50, 120)));
    for (const id of ids) {
      const created = Date.parse(parseWireTime(sim.getOrder(id)!.created as string, ZONE));
      expect(created).toBeGreaterThanOrEqual(from.getTime() - 1000);
      expect(created).toBeLessThanOrEqual(to.getTime() + 2000);
    }
  });

  it('the open query returns exactly the orders in non-terminal states', async () => {
    const { records } = await walk(connector(), { kind: 'open' });
    const expected = sim.allOrderIds().filter((id) => (OPEN_ALZA_STATES as readonly string[]).includes(sim.stateOf(id)!));
    expect(expected.length).toBeGreaterThan(5);
    expect(records.map((r) => orderIdOf(r))).toEqual(expected);
    for (const r of records) expect(OPEN_ALZA_STATES).toContain(stateOf(r));
  });

  it('the closed query returns the orders in closed states created from `from`, a Delivered order returned later among them', async () => {
    const all = sim.allOrderIds();
    const from = createdOf(all[40]!);
    const returned = all.slice(40).find((id) => sim.stateOf(id) === ALZA_STATES.delivered)!;
    sim.changeStatus(returned, ALZA_STATES.cancelledAfterShipment);
    const { records } = await walk(connector(), { kind: 'closed', from });
    const expected = all.filter((id) => (CLOSED_ALZA_STATES as readonly string[]).includes(sim.stateOf(id)!) && createdOf(id) >= from);
    expect(expected.length).toBeGreaterThan(5);
    expect(records.map((r) => orderIdOf(r))).toEqual(expected);
    expect(stateOf(records.find((r) => orderIdOf(r) === returned))).toBe(ALZA_STATES.cancelledAfterShipment);
    expect(sim.requests.listQueries.at(-1)!.state).toBe('Delivered|Cancelled|CancelledAfterShipment');
  });

  it('sends every time filter with the explicit offset of its instant (CEST and CET), read exactly under either reading of offset-less times', async () => {
    for (const [instant, text] of [
      ['2026-09-10T06:13:00Z', '2026-09-10T08:13:00+02:00'],
      ['2026-12-10T07:13:00Z', '2026-12-10T08:13:00+01:00'],
    ] as const) {
      for (const offsetlessAsUtc of [false, true]) {
        sim.setFaults({ offsetlessAsUtc });
        await walk(connector(), { kind: 'closed', from: new Date(instant) });
        expect(sim.requests.listQueries.at(-1)!.dateFrom).toBe(text);
        await walk(connector(), { kind: 'window', from: new Date(instant), to: new Date(Date.parse(instant) + 3_600_000) });
        const q = sim.requests.listQueries.at(-1)!;
        expect(q.dateFrom).toBe(text);
        expect(q.dateTo).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
      }
    }
  });

  it('under a UTC reading, the offset-less filter orderhub used to send misses a returned order; the filter it sends now finds it', async () => {
    const returned = sim.allOrderIds().find((id) => sim.stateOf(id) === ALZA_STATES.delivered)!;
    sim.changeStatus(returned, ALZA_STATES.cancelledAfterShipment);
    const from = createdOf(returned);
    sim.setFaults({ offsetlessAsUtc: true });
    const conn = connector();
    const offsetless = await conn.client.listOrders({ dateFrom: formatWireTime(from, ZONE), states: CLOSED_ALZA_STATES, page: 1, pageSize: 1000 });
    // read as UTC, the Prague wall time names an instant one or two hours later: the return is lost
    expect(offsetless.records.map((r) => orderIdOf(r))).not.toContain(returned);
    const { ids } = await walk(conn, { kind: 'closed', from });
    expect(ids).toContain(returned);
  });

  it('turns a 400 ProblemDetails into a clear error naming the parameter', async () => {
    const conn = connector();
    const err = await conn.client.listOrders({ page: 1, pageSize: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlzaBadRequestError);
    expect((err as Error).message).toMatch(/HTTP 400\): One or more validation errors occurred\.; pageSize: The field pageSize must be between 1 and 1000/);
  });

  it('lists unshipped orders by departure window', async () => {
    const conn = connector();
    const all = await conn.client.listUnshipped({});
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) expect(stateOf(r)).toBe(ALZA_STATES.awaitingLabelCreation);
    const departures = all.map((r) => (r as { shipmentDepartureTime: string }).shipmentDepartureTime).sort();
    const first = departures[0]!;
    const some = await conn.client.listUnshipped({ departureFrom: first, departureTo: first.replace('T16:00:00', 'T16:00:01') });
    expect(some.length).toBe(departures.filter((d) => d === first).length);
  });
});

describe('an API that contradicts itself (scripted)', () => {
  let app: FastifyInstance;
  let root: string;
  let pages: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    app = Fastify();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, b, done) => done(null, b));
    app.post('/connect/token', async () => ({ access_token: 'T', expires_in: 3600, token_type: 'Bearer' }));
    app.get('/api/v2/orders', async () => pages.shift() ?? { items: [], totalCount: 0, page: 1, pageSize: 20 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    root = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const order = (n: number) => ({ orderNumber: String(5200000000 + n), created: '2025-07-01T10:00:00', state: 'Waiting', items: [] });

  it('fails when pages run out before totalCount (skipped records)', async () => {
    pages = [
      { items: [order(1), order(2)], totalCount: 5, page: 1, pageSize: 2 },
      { items: [], totalCount: 5, page: 2, pageSize: 2 },
    ];
    const conn = connector({ tokenUrl: `${root}/connect/token` }, root);
    await expect(walk(conn, everything())).rejects.toBeInstanceOf(PagingError);
  });

  it('fails when the API answers another page than the one asked for', async () => {
    pages = [
      { items: [order(1)], totalCount: 3, page: 1, pageSize: 1 },
      { items: [order(1)], totalCount: 3, page: 1, pageSize: 1 },
    ];
    const conn = connector({ tokenUrl: `${root}/connect/token` }, root);
    await expect(walk(conn, everything())).rejects.toThrow(/answered page 1 when asked for page 2/);
  });
});
