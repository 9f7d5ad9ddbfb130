/**
 * The simulated AlzaTrade API (Fastify): the identity server's token endpoint and the orders API on
 * one server, on different paths (`/connect/token` and `{prefix}/orders…`). Faithful to what is
 * documented (form-encoded client-credentials login, OAuth2 error bodies, Bearer tokens that expire,
 * 401 on an expired/unknown token, the blacklist, 429 on overuse) and to the assumed contract of
 * schemas.ts (paths, parameter names, paging, sort, states, time filters, ProblemDetails 400s). A time
 * filter without an offset is read as Prague wall time, or as UTC under the offsetlessAsUtc knob.
 * The /__sim control API is the kit's; Alza's own controls (identity, expire-tokens) are added to it.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { emptyRequestCounters, guardApi, type RequestCounters } from '../../kit/simulator/api-hooks.ts';
import type { FaultKnobs } from '../../kit/simulator/faults.ts';
import {
  ALL_ALZA_STATES, ALZA_STATES, FIRST_PAGE, MAX_PAGE_SIZE, PATHS, QUERY, SORT_CREATED_ASC, SORT_CREATED_DESC,
  parseWireTime, toWirePage,
} from '../schemas.ts';
import type { Identity } from './identity.ts';
import type { AlzaFaults, AlzaSimStore } from './store.ts';

export const TOKEN_PATH = '/connect/token';
/** when pageSize is absent [INF] */
export const DEFAULT_PAGE_SIZE = 20;

/** API requests (token requests are counted by the identity server) */
export interface ApiCounters extends RequestCounters {
  /** 401 answers (missing, unknown or expired token) */
  unauthorized: number;
  ordersServed: number;
  /** the query of the last (up to 200) GET {prefix}/orders requests, as sent (repeated keys joined with |) */
  listQueries: Array<Record<string, string>>;
}

export function emptyApiCounters(): ApiCounters {
  return { ...emptyRequestCounters(), unauthorized: 0, ordersServed: 0, listQueries: [] };
}

export interface AlzaServerState {
  store: AlzaSimStore;
  identity: Identity;
  apiPrefix: string;
  counters: ApiCounters;
  faults: FaultKnobs<AlzaFaults>;
  /** request times of the last second (overuse detection) */
  recent: number[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

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
  const { store, counters, identity, faults } = state;
  const prefix = state.apiPrefix;
  const ordersPath = `${prefix}${PATHS.orders}`;
  const unshippedPath = `${prefix}${PATHS.unshipped}`;
  const isApi = (path: string) => path === ordersPath || path.startsWith(`${prefix}/`);

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: string): FastifyReply {
    return reply.code(status).header('content-type', JSON_TYPE).send(faults.payload(request, status, body));
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
  guardApi(app, {
    isApi: (url) => isApi(url.split('?')[0]!),
    counters,
    faults,
    screen(turn, request, reply) {
      const f = store.faults;
      if (f.expireTokensAtRequest > 0 && turn.n === f.expireTokensAtRequest) identity.expireAll();
      const now = Date.now();
      state.recent = state.recent.filter((t) => now - t < 1000);
      state.recent.push(now);
      const overuse = f.maxRequestsPerSecond > 0 && state.recent.length > f.maxRequestsPerSecond;
      if (overuse || turn.rateLimited) {
        // Alza answers overload with 429 and (at most) a short body
        return reply.code(429).header('retry-after', String(overuse ? Math.max(1, f.retryAfterSeconds) : f.retryAfterSeconds)).send('');
      }
      if (!identity.valid(bearerOf(request.headers.authorization))) {
        counters.unauthorized++;
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send('');
      }
      if (turn.failed) {
        return reply.code(500).header('content-type', JSON_TYPE).send(JSON.stringify({ title: 'An error occurred while processing your request.', status: 500 }));
      }
      return undefined;
    },
  });

  function timeParam(q: Record<string, unknown>, name: string, errors: Record<string, string[]>): number | undefined {
    const v = single(q[name]);
    if (v === undefined) return undefined;
    if (v === null) {
      errors[name] = [`The value for ${name} must be given once.`];
      return undefined;
    }
    try {
      // an offset-less time is Prague wall time, or UTC under the offsetlessAsUtc knob; a time with an
      // offset is that instant either way. Created times are whole seconds: t >= from ⇔ t >= ceil(from)
      const zone = store.faults.offsetlessAsUtc ? 'UTC' : store.gen.zone;
      return Math.ceil(Date.parse(parseWireTime(v, zone)) / 1000);
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
    if (counters.listQueries.length >= 200) counters.listQueries.shift();
    counters.listQueries.push(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v.join('|') : String(v)])));
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

  return app;
}
