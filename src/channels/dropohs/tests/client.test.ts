/**
 * The Dropohs client and connector against the simulator over HTTP (and a tiny ad-hoc server for
 * envelopes the simulator never sends): the envelope is the truth even on HTTP 200, auth fails fast,
 * record offsets under a silent cap, partitions, the catalog cache in the connection state.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.ts';
import { AuthError, InvalidResponseError } from '../../../core/http/errors.ts';
import { headerAuth } from '../../../core/http/auth.ts';
import { testConnectorContext, type TestContext } from '../../../../test/support/connector-context.ts';
import { CatalogCache, catalogStateKey } from '../catalog.ts';
import { DropohsApiError, DropohsClient } from '../client.ts';
import { createDropohsConnector, isRepeatedTail, variantIdsOf } from '../connector.ts';
import type { DropohsSimulator } from '../simulator/index.ts';
import { configFor, startSim } from './helpers.ts';

let sim: DropohsSimulator | undefined;
let ctx: TestContext | undefined;
let odd: FastifyInstance | undefined;

afterEach(async () => {
  await ctx?.close();
  await sim?.close();
  await odd?.close();
  sim = undefined;
  ctx = undefined;
  odd = undefined;
});

function clientFor(baseUrl: string, token: string, maxAttempts = 4): DropohsClient {
  ctx = testConnectorContext({ timeZone: 'Europe/Prague' });
  const http = ctx.http({ baseUrl, auth: headerAuth('Authorization', token), maxAttempts });
  return new DropohsClient(http, { connection: 'test', maxAttempts, baseDelayMs: 5, maxDelayMs: 20 });
}

const signal = new AbortController().signal;

describe('dropohs client: envelope', () => {
  it('lists shops, orders by record offset, products', async () => {
    sim = await startSim({ orders: 90, shops: 3 });
    const client = clientFor(sim.baseUrl, sim.token);
    const shops = await client.listShops();
    expect(shops.map((s) => s.id)).toEqual(sim.shopIds);
    expect(shops[0]!.name).toBe('Módní ráj');
    const shop = sim.shopIds[0]!;
    const listing = sim.listingIds(shop);
    const page = await client.listOrders(shop, 5, 3);
    expect(page.map((o) => String((o as { id: number }).id))).toEqual(listing.slice(5, 8)); // offset = record, not page
    const one = await client.getOrder(shop, listing[7]!);
    expect((one as { id: number }).id).toBe(Number(listing[7]));
    expect(await client.getOrder(shop, 1)).toBeNull();
  });

  it('retries an error envelope on HTTP 200 with a 5xx code, then succeeds', async () => {
    sim = await startSim({ orders: 10 });
    sim.setFaults({ envelopeErrorEvery: 2 });
    const client = clientFor(sim.baseUrl, sim.token);
    await client.listShops(); // request 1: fine
    const shops = await client.listShops(); // request 2: {code:500} on HTTP 200, request 3: fine
    expect(shops).toHaveLength(3);
    expect(client.envelopeRetries).toBe(1);
    expect(sim.requests.total).toBe(3);
  });

  it('gives up on a persistent error envelope with the channel message', async () => {
    sim = await startSim({ orders: 10 });
    sim.setFaults({ envelopeErrorEvery: 1 });
    const client = clientFor(sim.baseUrl, sim.token, 3);
    const err = await client.listShops().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DropohsApiError);
    expect((err as DropohsApiError).apiCode).toBe(500);
    expect((err as DropohsApiError).retryable).toBe(true);
    expect((err as Error).message).toContain('answered code 500 (HTTP 200): "Interní chyba serveru" (after 3 attempts)');
    expect(sim.requests.total).toBe(3);
  });

  it('an unknown shop is a clear, non-retried error (HTTP 404 envelope)', async () => {
    sim = await startSim({ orders: 10 });
    const client = clientFor(sim.baseUrl, sim.token);
    const err = await client.listOrders(999, 0, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DropohsApiError);
    expect((err as DropohsApiError).retryable).toBe(false);
    expect((err as Error).message).toContain('answered code 404: "E-shop nebyl nalezen"');
    expect(sim.requests.total).toBe(1);
    const missing = await client.call('/orders', {}).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('"Parametr shopId je povinný"');
  });

  it('a refused token fails fast with the channel message (AuthError, one request)', async () => {
    sim = await startSim({ orders: 10 });
    const client = clientFor(sim.baseUrl, 'not-the-token');
    const err = await client.listShops().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(401);
    expect((err as Error).message).toBe(
      'test: Dropohs refused the API token on GET /shops (HTTP 401: "Neplatný token"); check `token` of this connection (the API token from the e-shop administration)',
    );
    expect(sim.requests.total).toBe(1);
  });

  it('retries truncated bodies, 500s and 429s (core client)', async () => {
    sim = await startSim({ orders: 10 });
    sim.setFaults({ truncateEvery: 3, errorEvery: 4, rateLimitEvery: 7, retryAfterSeconds: 0 });
    const client = clientFor(sim.baseUrl, sim.token, 6);
    for (let k = 0; k < 5; k++) expect(await client.listShops()).toHaveLength(3);
    expect(sim.requests.faults.truncate).toBeGreaterThan(0);
    expect(sim.requests.faults.error).toBeGreaterThan(0);
    expect(sim.requests.faults.rateLimit).toBeGreaterThan(0);
  });

  it('pages the catalogue by received count under a silent cap', async () => {
    sim = await startSim({ orders: 10, shops: 1 });
    const client = clientFor(sim.baseUrl, sim.token);
    const all = await client.listAllProducts(sim.shopIds[0]!, 1000);
    sim.setFaults({ pageCap: 3 });
    const capped = await client.listAllProducts(sim.shopIds[0]!, 10);
    expect(capped.map((p) => (p as { id: number }).id)).toEqual(all.map((p) => (p as { id: number }).id));
    expect(all.length).toBeGreaterThan(20);
  });

  describe('envelopes the simulator never sends', () => {
    async function serve(body: string, status = 200): Promise<string> {
      odd = Fastify();
      odd.get('/*', async (_req, reply) => reply.code(status).header('content-type', 'application/json').send(body));
      await odd.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(odd.server.address() as AddressInfo).port}`;
    }

    it('code 200 with a message is an error, not retried', async () => {
      const client = clientFor(await serve('{"code":200,"message":"Neznámá chyba","data":[]}'), 't');
      const err = await client.listShops().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DropohsApiError);
      expect((err as DropohsApiError).retryable).toBe(false);
      expect((err as Error).message).toContain('answered code 200: "Neznámá chyba"');
      expect(client.envelopeRetries).toBe(0);
    });

    it('a 403 code in the envelope is an AuthError', async () => {
      const client = clientFor(await serve('{"code":403,"message":"Přístup odepřen","data":[]}'), 't');
      const err = await client.listShops().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toContain('(code 403: "Přístup odepřen")');
    });

    it('a body that is not the envelope names the field', async () => {
      const client = clientFor(await serve('{"status":"ok","data":[]}'), 't');
      const err = await client.listShops().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidResponseError);
      expect((err as Error).message).toContain('not the documented {code, message, data} envelope (code: ');
    });

    it('data that is not an array', async () => {
      const client = clientFor(await serve('{"code":200,"message":"","data":{"id":1}}'), 't');
      await expect(client.listOrders(1, 0, 10)).rejects.toThrow('`data` must be an array, got {"id":1}');
    });

    it('a shop without an id', async () => {
      const client = clientFor(await serve('{"code":200,"message":"","data":[{"name":"X"}]}'), 't');
      await expect(client.listShops()).rejects.toThrow('GET /shops: data[0].id:');
    });
  });
});

describe('dropohs connector', () => {
  function connectorFor(s: DropohsSimulator, extra: Record<string, unknown> = {}, context?: TestContext) {
    ctx = context ?? testConnectorContext({ timeZone: 'Europe/Prague' });
    return createDropohsConnector(configFor(s, extra), ctx);
  }

  it('partitions are the token\'s shops, or the configured ones; an unknown one is a config error', async () => {
    sim = await startSim({ orders: 30, shops: 3 });
    expect(await connectorFor(sim).partitions!(signal)).toEqual(sim.shopIds.map(String));
    await ctx!.close();
    expect(await connectorFor(sim, { shopIds: [sim.shopIds[2], sim.shopIds[0]] }).partitions!(signal)).toEqual([
      String(sim.shopIds[2]),
      String(sim.shopIds[0]),
    ]);
    await ctx!.close();
    const err = await connectorFor(sim, { shopIds: [4242] }).partitions!(signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('shopIds: 4242 is not an e-shop of this token; its e-shops are: 123456 (Módní ráj), 123457 (Dům a zahrada Plus), 223001 (Športový svet)');
  });

  it('fetchPage reads record offsets; the engine\'s offset arithmetic survives a silent cap', async () => {
    sim = await startSim({ orders: 60, shops: 1 });
    sim.setFaults({ pageCap: 7 });
    const c = connectorFor(sim, { pageSize: 25 });
    const shop = String(sim.shopIds[0]);
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const page = await c.fetchPage({ kind: 'all', partition: shop }, { index: 0, offset, size: 25, token: null }, signal);
      if (page.records.length === 0) break;
      expect(page.records.length).toBeLessThanOrEqual(7);
      seen.push(...page.records.map((r) => c.externalIdOf(r)!));
      offset += page.records.length;
    }
    expect(seen).toEqual(sim.listingIds(sim.shopIds[0]!));
    await expect(c.fetchPage({ kind: 'window', from: new Date(), to: new Date() }, { index: 0, offset: 0, size: 1, token: null }, signal)).rejects.toThrow(
      'Dropohs has no date or status filter',
    );
  });

  it('keeps the catalogues in the connection state: a second run reads no products', async () => {
    sim = await startSim({ orders: 30, shops: 2 });
    const first = connectorFor(sim);
    await first.prepare!(signal);
    expect(sim.requests.catalogueReads).toBe(2);
    const stored = await ctx!.state.get<{ variants: unknown[] }>(catalogStateKey(sim.shopIds[0]!));
    expect(stored!.variants.length).toBeGreaterThan(10);
    // a new connector on the same state (the next sync)
    const second = createDropohsConnector(configFor(sim), ctx!);
    await second.prepare!(signal);
    expect(sim.requests.catalogueReads).toBe(2);
    expect(second.catalogs.stats).toEqual({ fetched: 0, fromState: 2 });
  });

  it('re-reads a catalogue older than catalogMaxAge', async () => {
    sim = await startSim({ orders: 10, shops: 1 });
    ctx = testConnectorContext({ timeZone: 'Europe/Prague' });
    const client = new DropohsClient(ctx.http({ baseUrl: sim.baseUrl, auth: headerAuth('Authorization', sim.token) }), { connection: 't', maxAttempts: 2 });
    let now = new Date('2025-01-01T00:00:00Z');
    const make = () => new CatalogCache({ listAllProducts: (id, s) => client.listAllProducts(id, 100, s) }, ctx!.state, ctx!.logger, 3_600_000, () => now);
    await make().load(sim.shopIds[0]!, signal);
    now = new Date('2025-01-01T00:59:00Z');
    await make().load(sim.shopIds[0]!, signal);
    expect(sim.requests.catalogueReads).toBe(1);
    now = new Date('2025-01-01T01:01:00Z');
    await make().load(sim.shopIds[0]!, signal);
    expect(sim.requests.catalogueReads).toBe(2);
  });

  it('re-reads the catalogue once for a page with an unknown variant; concurrent pages share the re-read', async () => {
    sim = await startSim({ orders: 40, shops: 1 });
    const c = connectorFor(sim);
    await c.prepare!(signal);
    const shopId = sim.shopIds[0]!;
    const added = sim.addProduct({ name: 'Novinka' });
    sim.insertOrders(2, { shopId, variants: [added.variantIds[0]!] });
    const total = sim.listingIds(shopId).length;
    await Promise.all([
      c.fetchPage({ kind: 'all', partition: String(shopId) }, { index: 0, offset: total - 2, size: 1, token: null }, signal),
      c.fetchPage({ kind: 'all', partition: String(shopId) }, { index: 0, offset: total - 1, size: 1, token: null }, signal),
    ]);
    expect(sim.requests.catalogueReads).toBe(2);
    expect(c.catalogs.get(shopId)!.variants.get(String(added.variantIds[0]))!.name).toContain('Novinka');
  });

  it('maps a record it did not fetch using the only catalogue, or warns when there are several', async () => {
    sim = await startSim({ orders: 10, shops: 2 });
    const one = connectorFor(sim, { shopIds: [sim.shopIds[0]] });
    await one.prepare!(signal);
    const raw = sim.getOrder(sim.listingIds(sim.shopIds[0]!)[0]!)!;
    expect(one.mapOrder(raw).order.items.every((i) => i.name !== null)).toBe(true);
    const both = createDropohsConnector(configFor(sim), ctx!);
    await both.prepare!(signal);
    expect(both.mapOrder(raw).warnings[0]).toContain('no product catalog for e-shop (unknown)');
  });
});

describe('dropohs connector helpers', () => {
  it('variantIdsOf ignores malformed lines', () => {
    expect([...variantIdsOf([{ basket: [{ id: 1 }, { id: '2' }, { id: 'x' }, null] }, { basket: 'no' }, null, { basket: [{ id: 1 }] }])]).toEqual(['1', '2']);
  });

  it('isRepeatedTail: a short page of already-read records right after them is the end', () => {
    const walks = new Map();
    const rec = (...ids: number[]) => ids.map((id) => ({ id }));
    expect(isRepeatedTail(walks, 1, 0, rec(1, 2, 3, 4))).toBe(false);
    expect(isRepeatedTail(walks, 1, 4, rec(3, 4, 5))).toBe(false); // shifted by 2, new record 5
    expect(isRepeatedTail(walks, 1, 7, rec(4, 5))).toBe(true); // only records of the previous page, short
    // a full-length repeat is not proof (could be a capped middle page): handed to the engine
    const w2 = new Map();
    expect(isRepeatedTail(w2, 1, 0, rec(1, 2))).toBe(false);
    expect(isRepeatedTail(w2, 1, 2, rec(1, 2))).toBe(false);
    // a page that does not continue the previous one starts a new walk
    const w3 = new Map();
    expect(isRepeatedTail(w3, 1, 0, rec(1, 2, 3))).toBe(false);
    expect(isRepeatedTail(w3, 1, 10, rec(3))).toBe(false);
  });
});
