/**
 * The simulated Dropohs HTTP API (Fastify): GET /shops, /products and /orders behind a raw token in
 * `Authorization`, every answer in the `{code, message, data}` envelope with `code` mirroring the HTTP
 * status (Czech messages), `offset` a record offset. What the manual does not say is marked [INF]:
 * 401 `Neplatný token` for a wrong token, 400/404 envelopes for bad parameters, the default `limit`.
 * Control endpoints under /__sim/ are unauthenticated (for tests and child processes).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_FAULTS, type DropohsFaults, type DropohsStore, type InsertPosition } from './store.ts';

export const MSG_BAD_TOKEN = 'Neplatný token';
export const MSG_SHOP_REQUIRED = 'Parametr shopId je povinný';
export const MSG_SHOP_NOT_FOUND = 'E-shop nebyl nalezen';
export const MSG_RATE_LIMIT = 'Příliš mnoho požadavků, zkuste to prosím později';
export const MSG_SERVER_ERROR = 'Interní chyba serveru';
export const MSG_UNKNOWN_PATH = 'Neznámý požadavek';
export const badParam = (name: string) => `Neplatná hodnota parametru ${name}`;

/** [INF] `limit` when absent (the manual gives no default) */
export const DEFAULT_LIMIT = 100;

export interface DropohsRequestCounters {
  /** every API request (faulted ones included), /__sim excluded */
  total: number;
  /** "GET /orders", "GET /products", "GET /shops" */
  byEndpoint: Record<string, number>;
  /** answers per HTTP status */
  byStatus: Record<string, number>;
  /** faults injected, by knob */
  faults: Record<string, number>;
  ordersServed: number;
  productsServed: number;
  /** GET /products listings started (offset 0, no id): whole-catalogue reads */
  catalogueReads: number;
}

export function emptyCounters(): DropohsRequestCounters {
  return { total: 0, byEndpoint: {}, byStatus: {}, faults: {}, ordersServed: 0, productsServed: 0, catalogueReads: 0 };
}

export interface DropohsServerState {
  store: DropohsStore;
  token: string;
  counters: DropohsRequestCounters;
  /** position in the fault cycle (reset whenever faults are set) */
  faultTick: number;
  tick(): unknown;
  reset(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const OK_HEAD = Buffer.from('{"code":200,"message":"","data":');
const OK_TAIL = Buffer.from('}');

export function envelope(code: number, message: string, dataJson = '[]'): string {
  return `{"code":${code},"message":${JSON.stringify(message)},"data":${dataJson}}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    dropohsTruncate?: boolean;
  }
}

/** Validates and merges fault knobs; restarts the fault cycle. */
export function setFaults(state: DropohsServerState, faults: Partial<Record<keyof DropohsFaults, unknown>>): DropohsFaults {
  const next: Record<string, unknown> = { ...state.store.faults };
  for (const [k, v] of Object.entries(faults)) {
    if (!(k in NO_FAULTS)) throw new RangeError(`unknown fault knob "${k}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    const def = NO_FAULTS[k as keyof DropohsFaults];
    if (v === null || v === undefined) next[k] = def;
    else if (k === 'insertPosition') {
      if (v !== 'start' && v !== 'end' && v !== 'alternate') throw new TypeError('fault knob "insertPosition" must be "start", "end" or "alternate"');
      next[k] = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`fault knob "${k}" must be a number >= 0`);
      next[k] = v;
    }
  }
  state.store.setFaults(next as unknown as DropohsFaults);
  state.faultTick = 0;
  return state.store.faults;
}

/** One query value: undefined when absent/empty, null when repeated or not digits. */
function digits(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

export async function buildDropohsServer(state: DropohsServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, return503OnClosing: false });
  const { store, counters } = state;
  const count = (knob: string) => {
    counters.faults[knob] = (counters.faults[knob] ?? 0) + 1;
  };

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
    let payload: string | Buffer = body;
    if (status === 200 && request.dropohsTruncate) {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      payload = buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
    }
    return reply.code(status).header('content-type', JSON_TYPE).send(payload);
  }
  const fail = (request: FastifyRequest, reply: FastifyReply, code: number, message: string) =>
    send(request, reply, code, envelope(code, message));

  const isApi = (url: string) => !url.startsWith('/__sim');

  app.setNotFoundHandler((request, reply) => fail(request, reply, 404, MSG_UNKNOWN_PATH));
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (!isApi(request.url)) return reply.code(status).send({ error: error.message });
    return fail(request, reply, status, status === 500 ? MSG_SERVER_ERROR : error.message);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!isApi(request.url)) return undefined;
    counters.total++;
    const key = `${request.method} ${request.url.split('?')[0]}`;
    counters.byEndpoint[key] = (counters.byEndpoint[key] ?? 0) + 1;
    const f = store.faults;
    const k = ++state.faultTick;
    if (f.latencyMs > 0) {
      count('latency');
      await sleep(f.latencyMs);
    }
    if (f.rateLimitEvery > 0 && k % f.rateLimitEvery === 0) {
      count('rateLimit');
      return reply.code(429).header('retry-after', String(f.retryAfterSeconds)).header('content-type', JSON_TYPE).send(envelope(429, MSG_RATE_LIMIT));
    }
    if (f.errorEvery > 0 && k % f.errorEvery === 0) {
      count('error');
      return reply.code(500).header('content-type', JSON_TYPE).send(envelope(500, MSG_SERVER_ERROR));
    }
    if (f.envelopeErrorEvery > 0 && k % f.envelopeErrorEvery === 0) {
      // HTTP says OK, the envelope says otherwise
      count('envelopeError');
      return reply.code(200).header('content-type', JSON_TYPE).send(envelope(500, MSG_SERVER_ERROR));
    }
    if (f.truncateEvery > 0 && k % f.truncateEvery === 0) {
      count('truncate');
      request.dropohsTruncate = true;
    }
    if (request.headers.authorization !== state.token) {
      return reply.code(401).header('content-type', JSON_TYPE).send(envelope(401, MSG_BAD_TOKEN));
    }
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApi(request.url)) return;
    const s = String(reply.statusCode);
    counters.byStatus[s] = (counters.byStatus[s] ?? 0) + 1;
  });

  /** shopId (required, the token's), offset, limit, id — or an error envelope already sent. */
  function shopQuery(request: FastifyRequest, reply: FastifyReply) {
    const q = request.query as Record<string, unknown>;
    if (q.shopId === undefined || q.shopId === '') return { reply: fail(request, reply, 400, MSG_SHOP_REQUIRED) };
    const shopId = digits(q.shopId);
    if (shopId === null || shopId === undefined) return { reply: fail(request, reply, 400, badParam('shopId')) };
    for (const name of ['offset', 'limit', 'id'] as const) {
      if (digits(q[name]) === null) return { reply: fail(request, reply, 400, badParam(name)) };
    }
    const shop = store.shopByApiId(shopId);
    if (!shop) return { reply: fail(request, reply, 404, MSG_SHOP_NOT_FOUND) };
    let limit = digits(q.limit) ?? DEFAULT_LIMIT;
    if (store.faults.pageCap > 0) limit = Math.min(limit, store.faults.pageCap);
    return { shop, offset: digits(q.offset) ?? 0, limit, id: digits(q.id) ?? undefined };
  }

  app.get('/shops', async (request, reply) => {
    const data = store.shops.map((s) => {
      const { skShare: _skip, ...shop } = s.seed;
      return shop;
    });
    return send(request, reply, 200, envelope(200, '', JSON.stringify(data)));
  });

  app.get('/orders', async (request, reply) => {
    const q = shopQuery(request, reply);
    if ('reply' in q) return q.reply;
    const { shop, offset, limit, id } = q;
    if (id !== undefined) {
      const g = store.indexOf(id);
      const mine = g >= 0 && store.shopIndexOf(g) === shop.index;
      if (mine) counters.ordersServed++;
      return send(request, reply, 200, envelope(200, '', mine ? `[${store.orderJson(g)}]` : '[]'));
    }
    const page = store.ordersPage(shop.index, offset, limit);
    counters.ordersServed += page.count;
    const body = Buffer.concat([OK_HEAD, page.data, OK_TAIL]);
    // new orders arrive while a client pages (knob insertDuringPaging)
    if (page.count > 0) store.insertWhilePaging(shop.index, offset + page.count);
    return send(request, reply, 200, body);
  });

  app.get('/products', async (request, reply) => {
    const q = shopQuery(request, reply);
    if ('reply' in q) return q.reply;
    const { shop, offset, limit, id } = q;
    if (id !== undefined) {
      const p = shop.listed.find((x) => x.id === id);
      if (p) counters.productsServed++;
      return send(request, reply, 200, envelope(200, '', p ? `[${p.json}]` : '[]'));
    }
    if (offset === 0) counters.catalogueReads++;
    const page = store.productsPage(shop.index, offset, limit);
    counters.productsServed += page.count;
    return send(request, reply, 200, envelope(200, '', page.json));
  });

  // ---------------------------------------------------------------- control endpoints
  app.get('/__sim/stats', async () => ({
    requests: counters,
    orders: store.count(),
    generated: store.generated,
    inserted: store.count() - store.generated,
    insertedDuringPaging: store.insertedDuringPaging,
    stateChanges: store.stateChanges,
    pageCacheBytes: store.pageCacheSize,
    shops: store.shops.map((s) => ({ id: s.seed.id, name: s.seed.name, orders: store.listingLength(s.index), products: s.listed.length })),
    faults: store.faults,
  }));
  app.get('/__sim/faults', async () => store.faults);
  app.post('/__sim/faults', async (request, reply) => {
    try {
      return setFaults(state, (request.body ?? {}) as Partial<Record<keyof DropohsFaults, unknown>>);
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
  app.delete('/__sim/faults', async () => setFaults(state, Object.fromEntries(Object.keys(NO_FAULTS).map((k) => [k, null]))));
  app.get('/__sim/orders', async () => ({ ids: store.allOrderIds() }));
  app.post('/__sim/orders', async (request, reply) => {
    const body = (request.body ?? {}) as { count?: unknown; position?: unknown; shopId?: unknown; variants?: unknown };
    const n = typeof body.count === 'number' && body.count > 0 ? Math.floor(body.count) : 1;
    const position: InsertPosition = body.position === 'start' ? 'start' : 'end';
    let shop: number | undefined;
    if (body.shopId !== undefined) {
      shop = store.shopByApiId(Number(body.shopId))?.index;
      if (shop === undefined) return reply.code(404).send({ error: `no e-shop ${String(body.shopId)}` });
    }
    const variants = Array.isArray(body.variants) ? body.variants.map(Number) : undefined;
    return { ids: store.insertOrders(n, { position, shop, variants }) };
  });
  app.get('/__sim/orders/:id', async (request, reply) => {
    const g = store.indexOf(Number((request.params as { id: string }).id));
    if (g < 0) return reply.code(404).send({ error: 'no such order' });
    return reply.header('content-type', JSON_TYPE).send(store.orderJson(g));
  });
  app.post('/__sim/orders/:id/state', async (request, reply) => {
    const body = (request.body ?? {}) as { state?: unknown; stateId?: unknown; customerStateId?: unknown; customerStateText?: unknown };
    if (typeof body.state !== 'string' || body.state === '') return reply.code(400).send({ error: 'body must be {"state": "…"}' });
    try {
      return store.changeState(Number((request.params as { id: string }).id), {
        stateText: body.state,
        stateId: typeof body.stateId === 'number' ? body.stateId : undefined,
        customerStateId: typeof body.customerStateId === 'number' ? body.customerStateId : null,
        customerStateText: typeof body.customerStateText === 'string' ? body.customerStateText : null,
      });
    } catch (err) {
      return reply.code(404).send({ error: (err as Error).message });
    }
  });
  app.post('/__sim/change-random', async (request) => {
    const body = (request.body ?? {}) as { count?: number };
    return { changes: store.changeRandomOldOrders(typeof body.count === 'number' ? body.count : 1) };
  });
  app.post('/__sim/products', async (request) => {
    const body = (request.body ?? {}) as { shopIds?: unknown; name?: unknown };
    const shops = Array.isArray(body.shopIds)
      ? body.shopIds.map((id) => store.shopByApiId(Number(id))?.index).filter((i): i is number => i !== undefined)
      : undefined;
    const p = store.addProduct(shops, typeof body.name === 'string' ? body.name : undefined);
    return { productId: p.id, variantIds: p.variants.map((v) => v.id) };
  });
  app.delete('/__sim/products/:id', async (request) => {
    store.delistProduct(Number((request.params as { id: string }).id));
    return { ok: true };
  });
  app.post('/__sim/tick', async () => state.tick());
  app.post('/__sim/reset', async () => {
    state.reset();
    return { ok: true };
  });

  return app;
}
