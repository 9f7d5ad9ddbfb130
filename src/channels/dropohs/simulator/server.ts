/**
 * The simulated Dropohs HTTP API (Fastify): GET /shops, /products and /orders behind a raw token in
 * `Authorization`, every answer in the `{code, message, data}` envelope with `code` mirroring the HTTP
 * status (Czech messages), `offset` a record offset. What the manual does not say is marked [INF]:
 * 401 `Neplatný token` for a wrong token, 400/404 envelopes for bad parameters, the default `limit`.
 * The /__sim control API is the kit's; Dropohs adds its catalogue controls (products) to it.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { answerFault, emptyRequestCounters, guardApi, type RequestCounters } from '../../kit/simulator/api-hooks.ts';
import type { FaultKnobs } from '../../kit/simulator/faults.ts';
import type { DropohsFaults, DropohsStore } from './store.ts';

export const MSG_BAD_TOKEN = 'Neplatný token';
export const MSG_SHOP_REQUIRED = 'Parametr shopId je povinný';
export const MSG_SHOP_NOT_FOUND = 'E-shop nebyl nalezen';
export const MSG_RATE_LIMIT = 'Příliš mnoho požadavků, zkuste to prosím později';
export const MSG_SERVER_ERROR = 'Interní chyba serveru';
export const MSG_UNKNOWN_PATH = 'Neznámý požadavek';
export const badParam = (name: string) => `Neplatná hodnota parametru ${name}`;

/** [INF] `limit` when absent (the manual gives no default) */
export const DEFAULT_LIMIT = 100;

/** API requests: "GET /orders", "GET /products", "GET /shops" */
export interface DropohsRequestCounters extends RequestCounters {
  /** faults injected, by knob */
  faults: Record<string, number>;
  ordersServed: number;
  productsServed: number;
  /** GET /products listings started (offset 0, no id): whole-catalogue reads */
  catalogueReads: number;
}

export function emptyCounters(): DropohsRequestCounters {
  return { ...emptyRequestCounters(), faults: {}, ordersServed: 0, productsServed: 0, catalogueReads: 0 };
}

export interface DropohsServerState {
  store: DropohsStore;
  token: string;
  counters: DropohsRequestCounters;
  faults: FaultKnobs<DropohsFaults>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const OK_HEAD = Buffer.from('{"code":200,"message":"","data":');
const OK_TAIL = Buffer.from('}');

export function envelope(code: number, message: string, dataJson = '[]'): string {
  return `{"code":${code},"message":${JSON.stringify(message)},"data":${dataJson}}`;
}

/** One query value: undefined when absent/empty, null when repeated or not digits. */
function digits(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

export async function buildDropohsServer(state: DropohsServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, return503OnClosing: false });
  const { store, counters, faults } = state;
  const count = (knob: string) => {
    counters.faults[knob] = (counters.faults[knob] ?? 0) + 1;
  };

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
    return reply.code(status).header('content-type', JSON_TYPE).send(faults.payload(request, status, body));
  }
  const fail = (request: FastifyRequest, reply: FastifyReply, code: number, message: string) =>
    send(request, reply, code, envelope(code, message));

  app.setNotFoundHandler((request, reply) => fail(request, reply, 404, MSG_UNKNOWN_PATH));
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return fail(request, reply, status, status === 500 ? MSG_SERVER_ERROR : error.message);
  });

  guardApi(app, {
    isApi: (url) => !url.startsWith('/__sim'),
    counters,
    faults,
    screen(turn, request, reply) {
      const f = store.faults;
      if (f.latencyMs > 0) count('latency');
      if (turn.rateLimited) {
        count('rateLimit');
        return answerFault(reply, 429, JSON_TYPE, envelope(429, MSG_RATE_LIMIT), f.retryAfterSeconds);
      }
      if (turn.failed) {
        count('error');
        return answerFault(reply, 500, JSON_TYPE, envelope(500, MSG_SERVER_ERROR));
      }
      if (f.envelopeErrorEvery > 0 && turn.n % f.envelopeErrorEvery === 0) {
        // HTTP says OK, the envelope says otherwise
        count('envelopeError');
        return answerFault(reply, 200, JSON_TYPE, envelope(500, MSG_SERVER_ERROR));
      }
      if (turn.truncated) count('truncate');
      if (request.headers.authorization !== state.token) {
        return reply.code(401).header('content-type', JSON_TYPE).send(envelope(401, MSG_BAD_TOKEN));
      }
      return undefined;
    },
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

  return app;
}
