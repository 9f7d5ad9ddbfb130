/**
 * The simulated AlzaTrade API (Fastify): the identity server's token endpoint and the orders API on
 * one server, on different paths (`/connect/token` and `{prefix}/orders…`). Faithful to what is
 * documented (form-encoded client-credentials login, OAuth2 error bodies, Bearer tokens that expire,
 * 401 on an expired/unknown token, the blacklist, 429 on overuse) and to the assumed contract of
 * api-contract.ts (paths, parameter names, paging, sort, states, wall-time filters, ProblemDetails 400s).
 * Control endpoints under /__sim/ are unauthenticated (tests, child processes, the demo).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ALL_ALZA_STATES, ALZA_STATES, FIRST_PAGE, MAX_PAGE_SIZE, PATHS, QUERY, SORT_CREATED_ASC, SORT_CREATED_DESC,
  parseWireTime, toWirePage,
} from '../schemas.ts';
import type { Identity, IdentitySettings } from './identity.ts';
import { NO_FAULTS, type AlzaFaults, type AlzaSimStore } from './store.ts';

export const TOKEN_PATH = '/connect/token';
/** when pageSize is absent [INF] */
export const DEFAULT_PAGE_SIZE = 20;

export interface ApiCounters {
  /** every API request (faulted ones included; token requests are counted by the identity server) */
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  /** 401 answers (missing, unknown or expired token) */
  unauthorized: number;
  ordersServed: number;
}

export function emptyApiCounters(): ApiCounters {
  return { total: 0, byEndpoint: {}, byStatus: {}, unauthorized: 0, ordersServed: 0 };
}

export interface AlzaServerState {
  store: AlzaSimStore;
  identity: Identity;
  apiPrefix: string;
  counters: ApiCounters;
  /** position in the fault cycle (reset whenever faults are set) */
  faultTick: number;
  /** request times of the last second (overuse detection) */
  recent: number[];
  tick(): unknown;
  reset(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    alzaTruncate?: boolean;
  }
}

export function setFaults(state: AlzaServerState, faults: Partial<AlzaFaults>): AlzaFaults {
  const next = { ...state.store.faults };
  for (const [k, v] of Object.entries(faults)) {
    if (!(k in NO_FAULTS)) throw new RangeError(`unknown fault knob "${k}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    if (v === null || v === undefined) (next as Record<string, unknown>)[k] = NO_FAULTS[k as keyof AlzaFaults];
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`fault knob "${k}" must be a number >= 0`);
    else (next as Record<string, unknown>)[k] = v;
  }
  state.store.faults = next;
  state.faultTick = 0;
  return next;
}

export function setIdentity(state: AlzaServerState, settings: Partial<IdentitySettings>): IdentitySettings {
  const next = { ...state.identity.settings };
  for (const [k, v] of Object.entries(settings)) {
    if (!(k in next)) throw new RangeError(`unknown identity setting "${k}"; known: ${Object.keys(next).join(', ')}`);
    const current = (next as Record<string, unknown>)[k];
    if (typeof v !== typeof current) throw new TypeError(`identity setting "${k}" must be a ${typeof current}`);
    (next as Record<string, unknown>)[k] = v;
  }
  state.identity.settings = next;
  return next;
}

function problem(errors: Record<string, string[]>): string {
  return JSON.stringify({
    type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
    title: 'One or more validation errors occurred.',
    status: 400,
    errors,
  });
}

function single(v: unknown): string | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  return null;
}

function bearerOf(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export async function buildAlzaServer(state: AlzaServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, return503OnClosing: false });
  const { store, counters, identity } = state;
  const prefix = state.apiPrefix;
  const ordersPath = `${prefix}${PATHS.orders}`;
  const unshippedPath = `${prefix}${PATHS.unshipped}`;
  const isApi = (url: string) => url === ordersPath || url.startsWith(`${prefix}/`);

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: string): FastifyReply {
    let payload = body;
    if (status === 200 && request.alzaTruncate) payload = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    return reply.code(status).header('content-type', JSON_TYPE).send(payload);
  }

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify({ title: error.message, status }));
  });

  // ------------------------------------------------------------------ identity: POST /connect/token
  app.post(TOKEN_PATH, async (request, reply) => {
    const type = String(request.headers['content-type'] ?? '');
    const form = /^application\/x-www-form-urlencoded/i.test(type) && request.body && typeof request.body === 'object'
      ? (request.body as Record<string, string>)
      : null;
    const answer = identity.token(form);
    return reply
      .code(answer.status)
      .header('content-type', JSON_TYPE)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(answer.body));
  });

  // ------------------------------------------------------------------ API: faults, auth
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (!isApi(path)) return undefined;
    counters.total++;
    const key = `${request.method} ${request.routeOptions.url ?? path}`;
    counters.byEndpoint[key] = (counters.byEndpoint[key] ?? 0) + 1;
    const f = store.faults;
    const k = ++state.faultTick;
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.expireTokensAtRequest > 0 && k === f.expireTokensAtRequest) identity.expireAll();
    const now = Date.now();
    state.recent = state.recent.filter((t) => now - t < 1000);
    state.recent.push(now);
    const overuse = f.maxRequestsPerSecond > 0 && state.recent.length > f.maxRequestsPerSecond;
    if (overuse || (f.rateLimitEvery > 0 && k % f.rateLimitEvery === 0)) {
      // Alza answers overload with 429 and (at most) a short body
      return reply.code(429).header('retry-after', String(overuse ? Math.max(1, f.retryAfterSeconds) : f.retryAfterSeconds)).send('');
    }
    if (!identity.valid(bearerOf(request.headers.authorization))) {
      counters.unauthorized++;
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send('');
    }
    if (f.errorEvery > 0 && k % f.errorEvery === 0) {
      return reply.code(500).header('content-type', JSON_TYPE).send(JSON.stringify({ title: 'An error occurred while processing your request.', status: 500 }));
    }
    if (f.truncateEvery > 0 && k % f.truncateEvery === 0) request.alzaTruncate = true;
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!isApi(request.url.split('?')[0]!)) return;
    const s = String(reply.statusCode);
    counters.byStatus[s] = (counters.byStatus[s] ?? 0) + 1;
  });

  function timeParam(q: Record<string, unknown>, name: string, errors: Record<string, string[]>): number | undefined {
    const v = single(q[name]);
    if (v === undefined) return undefined;
    if (v === null) {
      errors[name] = [`The value for ${name} must be given once.`];
      return undefined;
    }
    try {
      // created times are whole seconds: t >= from  ⇔  t >= ceil(from)
      return Math.ceil(Date.parse(parseWireTime(v, store.gen.zone)) / 1000);
    } catch {
      errors[name] = [`The value '${v}' is not valid for ${name}.`];
      return undefined;
    }
  }

  function intParam(q: Record<string, unknown>, name: string, min: number, max: number, errors: Record<string, string[]>): number | undefined {
    const v = single(q[name]);
    if (v === undefined) return undefined;
    if (v === null || !/^\d+$/.test(v)) {
      errors[name] = [`The value '${String(q[name])}' is not valid for ${name}.`];
      return undefined;
    }
    const n = Number(v);
    if (n < min || n > max) {
      errors[name] = [`The field ${name} must be between ${min} and ${max}.`];
      return undefined;
    }
    return n;
  }

  // ------------------------------------------------------------------ GET {prefix}/orders
  app.get(ordersPath, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const page = intParam(q, QUERY.page, FIRST_PAGE, 1_000_000, errors) ?? FIRST_PAGE;
    const pageSize = intParam(q, QUERY.pageSize, 1, MAX_PAGE_SIZE, errors) ?? DEFAULT_PAGE_SIZE;
    const fromSec = timeParam(q, QUERY.dateFrom, errors);
    const toSec = timeParam(q, QUERY.dateTo, errors);
    const rawStates = q[QUERY.state];
    const states = rawStates === undefined ? [] : Array.isArray(rawStates) ? rawStates.map(String) : [String(rawStates)];
    const badStates = states.filter((s) => !(ALL_ALZA_STATES as readonly string[]).includes(s));
    if (badStates.length > 0) errors[QUERY.state] = badStates.map((s) => `The value '${s}' is not valid for ${QUERY.state}.`);
    const sort = single(q[QUERY.sort]) ?? SORT_CREATED_ASC;
    if (sort !== SORT_CREATED_ASC && sort !== SORT_CREATED_DESC) errors[QUERY.sort] = [`The value '${String(q[QUERY.sort])}' is not valid for ${QUERY.sort}.`];
    if (Object.keys(errors).length > 0) return send(request, reply, 400, problem(errors));

    const f = store.faults;
    if (f.insertDuringPaging > 0 && page > FIRST_PAGE) store.insertOrders(f.insertDuringPaging);
    const size = f.pageCap > 0 ? Math.min(pageSize, f.pageCap) : pageSize;
    const [first, end] = store.range(fromSec ?? -Infinity, toSec ?? Infinity);
    const indices = states.length > 0 ? store.filtered(first, end, states) : null;
    const total = indices ? indices.length : end - first;
    const skip = (page - FIRST_PAGE) * size;
    const items: unknown[] = [];
    for (let k = skip; k < Math.min(total, skip + size); k++) {
      const pos = sort === SORT_CREATED_DESC ? total - 1 - k : k;
      items.push(store.wireOrder(indices ? indices[pos]! : first + pos));
    }
    counters.ordersServed += items.length;
    // the silent cap: pageSize is echoed as asked, whatever was served
    return send(request, reply, 200, JSON.stringify(toWirePage(items, total, page, pageSize)));
  });

  // ------------------------------------------------------------------ GET {prefix}/orders/unshipped
  app.get(unshippedPath, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const fromSec = timeParam(q, QUERY.departureFrom, errors) ?? -Infinity;
    const toSec = timeParam(q, QUERY.departureTo, errors) ?? Infinity;
    if (Object.keys(errors).length > 0) return send(request, reply, 400, problem(errors));
    const items: unknown[] = [];
    for (let i = 0; i < store.count(); i++) {
      if (store.servedState(i) !== ALZA_STATES.awaitingLabelCreation) continue;
      const dep = store.departureSec(i);
      if (dep === null || dep < fromSec || dep >= toSec) continue;
      items.push(store.wireOrder(i));
    }
    counters.ordersServed += items.length;
    return send(request, reply, 200, JSON.stringify(items));
  });

  // ------------------------------------------------------------------ /__sim/ control
  const body = (request: FastifyRequest) => (request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {});
  const guard = async (reply: FastifyReply, fn: () => unknown) => {
    try {
      return reply.code(200).header('content-type', JSON_TYPE).send(JSON.stringify(fn() ?? { ok: true }));
    } catch (err) {
      return reply.code(400).header('content-type', JSON_TYPE).send(JSON.stringify({ error: (err as Error).message }));
    }
  };
  app.post('/__sim/faults', async (request, reply) => guard(reply, () => setFaults(state, body(request) as Partial<AlzaFaults>)));
  app.post('/__sim/identity', async (request, reply) => guard(reply, () => {
    const { clientSecret: _hidden, ...shown } = setIdentity(state, body(request) as Partial<IdentitySettings>);
    return shown;
  }));
  app.post('/__sim/reset', async (_request, reply) => guard(reply, () => state.reset()));
  app.post('/__sim/expire-tokens', async (_request, reply) => guard(reply, () => identity.expireAll()));
  app.post('/__sim/state', async (request, reply) => guard(reply, () => {
    const b = body(request);
    return store.changeState(String(b.orderNumber), String(b.state));
  }));
  app.post('/__sim/insert', async (request, reply) => guard(reply, () => ({ inserted: store.insertOrders(Number(body(request).count ?? 1)) })));
  app.post('/__sim/change-random', async (request, reply) => guard(reply, () => ({ changed: store.changeRandomOldOrders(Number(body(request).count ?? 1)) })));
  app.post('/__sim/tick', async (_request, reply) => guard(reply, () => state.tick()));
  app.get('/__sim/stats', async (_request, reply) => guard(reply, () => ({
    orders: store.count(),
    tokens: identity.counters,
    blacklisted: identity.blacklisted,
    blacklistReason: identity.blacklistReason,
    api: counters,
    faults: store.faults,
  })));

  return app;
}
