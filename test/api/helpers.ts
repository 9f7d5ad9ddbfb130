/**
 * Shared pieces of the API tests: order fixtures written through the core upsert (with the journal
 * lock, as ingestRecords takes it), a minimal test channel with its own tiny fake server (status and
 * tracking write-back), a signed-webhook receiver on 127.0.0.1, and a running API server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { request } from 'undici';
import { z } from 'zod';
import type { MappedOrder } from '../../src/core/canonical/order.ts';
import { statusMapper } from '../../src/core/canonical/status.ts';
import { baseConnectionSchema, parseConfig } from '../../src/core/config.ts';
import { defineChannel, type Connector } from '../../src/core/connector.ts';
import { ChannelRefusedError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { ChannelRegistry } from '../../src/core/registry.ts';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { ensureConnection } from '../../src/core/store/connections.ts';
import { sha1, upsertOrders, type IncomingOrder } from '../../src/core/store/orders.ts';
import { JOURNAL_LOCK_KEY } from '../../src/core/sync/ingest.ts';
import { startApiServer, type RunningApiServer, type StartApiOptions } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/store/api-keys.ts';
import { verifyWebhookSignature } from '../../src/webhooks/signature.ts';
import { openTestStore, type StoreKind, type TestStore } from '../support/stores.ts';

export function mapped(externalId: string, overrides: Partial<MappedOrder> = {}): MappedOrder {
  const n = Number(externalId.replace(/\D/g, '') || '0');
  return {
    externalId,
    number: `NO-${externalId}`,
    createdAt: new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString(),
    status: 'new',
    channelStatus: 'NEW',
    currency: 'PLN',
    totals: { items: '10.00', shipping: '0.00', total: '10.00', taxIncluded: true },
    paid: null,
    paymentMethod: null,
    shippingMethod: null,
    trackingNumbers: [],
    customer: { name: `Customer ${externalId}`, email: `c${externalId}@example.com`, phone: null, company: null, companyId: null, vatId: null },
    billingAddress: null,
    shippingAddress: null,
    items: [{ lineId: '1', sku: `SKU-${externalId}`, ean: null, name: 'Wódka', quantity: '1', unitPriceNet: null, unitPriceGross: '10.00', vatRate: '23', totalNet: null, totalGross: '10.00' }],
    note: null,
    ...overrides,
  };
}

export function incoming(m: MappedOrder, raw: unknown = { id: m.externalId, status: m.channelStatus }): IncomingOrder {
  const rawJson = JSON.stringify(raw);
  return { mapped: m, rawJson, rawHash: sha1(rawJson), contentHash: sha1(JSON.stringify(m)) };
}

/** Writes orders the way the engine does: one transaction, journal lock on PostgreSQL. */
export async function putOrders(store: StoreHandle, connection: string, orders: MappedOrder[], now = new Date()): Promise<void> {
  await ensureConnection(store.db, connection, 'testshop');
  await store.db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${JOURNAL_LOCK_KEY})`.execute(trx);
    await upsertOrders(trx, { connection, channel: 'testshop', runId: null, now: now.toISOString(), orders: orders.map((o) => incoming(o)) });
  });
}

// ---------------------------------------------------------------- test channel + its fake server

export interface FakeShopOrder {
  id: string;
  status: string;
  tracking: string[];
  createdAt: string;
}

export interface FakeShop {
  url: string;
  orders: Map<string, FakeShopOrder>;
  /** the next N status/tracking writes answer 503 */
  failWrites: number;
  writes: Array<{ id: string; kind: string; value: string }>;
  close(): Promise<void>;
}

export async function startFakeShop(count: number): Promise<FakeShop> {
  const app: FastifyInstance = Fastify();
  const shop: FakeShop = { url: '', orders: new Map(), failWrites: 0, writes: [], close: () => app.close() };
  for (let i = 1; i <= count; i++) {
    shop.orders.set(String(i), { id: String(i), status: 'NEW', tracking: [], createdAt: new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString() });
  }
  app.get('/orders', async (req) => {
    const page = Number((req.query as { page?: string }).page ?? 0);
    const all = [...shop.orders.values()];
    const records = all.slice(page * 100, page * 100 + 100);
    return { records, last: page * 100 + 100 >= all.length };
  });
  app.get('/orders/:id', async (req, reply) => {
    const o = shop.orders.get((req.params as { id: string }).id);
    return o ?? reply.code(404).send({ message: 'no such order' });
  });
  app.patch('/orders/:id/status', async (req, reply) => {
    if (shop.failWrites > 0) {
      shop.failWrites--;
      return reply.code(503).send({ message: 'try later' });
    }
    const o = shop.orders.get((req.params as { id: string }).id);
    const status = (req.body as { status: string }).status;
    if (!o) return reply.code(404).send({ message: 'no such order' });
    if (status === 'SHIPPED' && o.tracking.length === 0) return reply.code(400).send({ message: 'cannot ship an order without a tracking number' });
    o.status = status;
    shop.writes.push({ id: o.id, kind: 'status', value: status });
    return { ok: true };
  });
  app.post('/orders/:id/tracking', async (req, reply) => {
    if (shop.failWrites > 0) {
      shop.failWrites--;
      return reply.code(503).send({ message: 'try later' });
    }
    const o = shop.orders.get((req.params as { id: string }).id);
    if (!o) return reply.code(404).send({ message: 'no such order' });
    const number = (req.body as { number: string }).number;
    o.tracking.push(number);
    shop.writes.push({ id: o.id, kind: 'tracking', value: number });
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  shop.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return shop;
}

const mapStatus = statusMapper({ NEW: 'new', PROCESSING: 'processing', SHIPPED: 'shipped' });

export const testShopChannel = defineChannel({
  kind: 'testshop',
  title: 'Test shop',
  defaultTimeZone: 'UTC',
  capabilities: { pull: true, push: false, writeBack: { status: true, tracking: true, documents: false } },
  configSchema: baseConnectionSchema.extend({ kind: z.literal('testshop'), apiKey: z.string() }),
  secretFields: ['apiKey'],
  createConnector(config, ctx): Connector {
    const http = ctx.http({ baseUrl: config.baseUrl, defaultHeaders: { 'x-api-key': config.apiKey }, maxAttempts: 1 });
    const toRaw = (r: unknown) => r as FakeShopOrder;
    return {
      listing: 'full-scan',
      paging: 'index',
      pageSize: 100,
      async fetchPage(_q, page, signal) {
        const body = (await http.getJson('/orders', { page: page.index }, signal)) as { records: unknown[]; last: boolean };
        return { records: body.records, last: body.last };
      },
      async *fetchByIds(ids, signal) {
        for (const id of ids) yield await http.getJson(`/orders/${id}`, undefined, signal);
      },
      externalIdOf: (r) => toRaw(r).id ?? null,
      mapOrder(r) {
        const o = toRaw(r);
        return { order: mapped(o.id, { status: mapStatus(o.status).status, channelStatus: o.status, trackingNumbers: o.tracking, createdAt: o.createdAt }), warnings: [] };
      },
      writeBack: {
        settableStatuses: ['NEW', 'PROCESSING', 'SHIPPED'],
        async setStatus(order, channelStatus, signal) {
          const res = await http.request({ method: 'PATCH', path: `/orders/${order.externalId}/status`, json: { status: channelStatus }, acceptStatuses: [400], ...(signal ? { signal } : {}) });
          if (res.status === 400) throw new ChannelRefusedError((res.json() as { message: string }).message);
        },
        async addTracking(order, trackingNumber, carrier, signal) {
          await http.request({ method: 'POST', path: `/orders/${order.externalId}/tracking`, json: { number: trackingNumber, carrier }, ...(signal ? { signal } : {}) });
        },
      },
    };
  },
});

export const testRegistry = new ChannelRegistry([testShopChannel]);


// ---------------------------------------------------------------- webhook receiver

export interface ReceivedWebhook {
  event: { id: string; seq: number; type: string; orderId: string; [k: string]: unknown };
  raw: string;
  headers: IncomingMessage['headers'];
  verified: boolean;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** status answered to every request while set (e.g. 503) */
  failWith: number | null;
  /** requests answered with failWith */
  refused: number;
  badSignatures: number;
  close(): Promise<void>;
}

/** Checks a delivery's signature; the default is the orderhub scheme's reference verifier. */
export type SignatureCheck = (secret: string, raw: string, headers: IncomingMessage['headers']) => boolean;

const orderhubSignature: SignatureCheck = (secret, raw, headers) => verifyWebhookSignature(secret, raw, headers['orderhub-signature'] as string | undefined);

export async function startReceiver(secret: () => string | null, check: SignatureCheck = orderhubSignature): Promise<Receiver> {
  const r: Receiver = { url: '', received: [], failWith: null, refused: 0, badSignatures: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.failWith !== null) {
        r.refused++;
        res.writeHead(r.failWith).end('unavailable');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const s = secret();
      const verified = s !== null && check(s, raw, req.headers);
      if (!verified) {
        r.badSignatures++;
        res.writeHead(400).end('bad signature');
        return;
      }
      r.received.push({ event: JSON.parse(raw) as ReceivedWebhook['event'], raw, headers: req.headers, verified });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return r;
}

// ---------------------------------------------------------------- running server

export interface TestApi {
  t: TestStore;
  server: RunningApiServer;
  url: string;
  readKey: string;
  writeKey: string;
  call(method: string, path: string, opts?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

export async function startTestApi(
  kind: StoreKind,
  options: { connections?: Array<Record<string, unknown>>; server?: Partial<StartApiOptions>; registry?: ChannelRegistry; webhooks?: Record<string, unknown> } = {},
): Promise<TestApi> {
  const t = await openTestStore(kind);
  const registry = options.registry ?? testRegistry;
  // The receivers of these tests listen on 127.0.0.1, which the product refuses unless allowed.
  const webhooks = options.webhooks ?? { allowPrivateTargets: true };
  const config = parseConfig({ database: t.database, webhooks, connections: options.connections ?? [] }, registry, 'test');
  const server = await startApiServer({
    store: t.store, config, registry, logger: silentLogger(), host: '127.0.0.1', port: 0,
    ...options.server,
    webhooks: { pollIntervalMs: 20, retrySchedule: [50, 100, 200, 400], leaseMs: 5_000, timeoutMs: 2_000, ...options.server?.webhooks },
    writeBacks: { pollIntervalMs: 20, retrySchedule: [50, 100, 200], ...options.server?.writeBacks },
  });
  const readKey = (await createApiKey(t.store.db, { name: 'reader', scope: 'read' })).key;
  const writeKey = (await createApiKey(t.store.db, { name: 'writer', scope: 'write' })).key;
  const call: TestApi['call'] = async (method, path, opts = {}) => {
    const key = opts.key === undefined ? writeKey : opts.key;
    const headers: Record<string, string> = { ...opts.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await request(`${server.url}${path}`, { method: method as 'GET', headers, body });
    const text = await res.body.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown>, text };
  };
  return {
    t, server, url: server.url, readKey, writeKey, call,
    close: async () => {
      await server.close();
      await t.cleanup();
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
