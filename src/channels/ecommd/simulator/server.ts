/**
 * The simulated ecom.md API (Fastify), Django-REST-Framework style as the docs suggest: trailing
 * slashes (a GET without one is redirected, as Django's APPEND_SLASH does), page-number pages
 * `{count, next, previous, results}` with absolute `next` links, `page_size` silently capped at 5000,
 * `{"detail": …}` for auth/404/throttling, `{"field": ["msg"]}` for validation, Django's HTML page on
 * a 500. The token is accepted in `API-Token` or `token` (the Order Sync API page shows both). Names follow
 * Accept-Language (ro; ru/uk → Russian). Control endpoints under /__sim/ are unauthenticated.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { ECOMMD_STATUSES, isEcommdStatus } from '../status-map.ts';
import {
  CATALOGUE, CHISINAU_CITY_ID, LOCALITIES, PROMO_CODES, REGIONS, SECTORS, STORES, langOf, nameIn, type Lang,
} from './data.ts';
import { CLOSED_STATUSES, NO_FAULTS, type EcommdFaults, type EcommdStore } from './store.ts';

export const API_MAX_PAGE_SIZE = 5000;
export const API_DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_ORDERING = '-created_at';

export const MSG_NO_CREDENTIALS = 'Authentication credentials were not provided.';
export const MSG_INVALID_TOKEN = 'Invalid token.';
export const MSG_INVALID_PAGE = 'Invalid page.';
export const MSG_NOT_FOUND = 'Not found.';
export const MSG_REQUIRED = 'This field is required.';

export interface EcommdRequestCounters {
  /** every /external/ request (faulted ones included) */
  total: number;
  /** "GET /external/external-order/" … */
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  /** which token header(s) each endpoint received: {"GET /external/shop/": {"token": 2, "api-token": 2}} */
  tokenHeaders: Record<string, Record<string, number>>;
  /** Accept-Language values seen */
  languages: Record<string, number>;
  /** orders put into list/detail answers */
  ordersServed: number;
  /** the query of the last (up to 200) order-list requests */
  listQueries: Array<Record<string, string>>;
  /** upsert bodies received (last 50) */
  upserts: unknown[];
}

export function emptyCounters(): EcommdRequestCounters {
  return { total: 0, byEndpoint: {}, byStatus: {}, tokenHeaders: {}, languages: {}, ordersServed: 0, listQueries: [], upserts: [] };
}

export interface EcommdServerState {
  store: EcommdStore;
  apiToken: string;
  counters: EcommdRequestCounters;
  /** position in the fault cycle (reset whenever faults are set) */
  faultTick: number;
  tick(): unknown;
  reset(): void;
}

const JSON_TYPE = 'application/json';
const SERVER_ERROR_HTML = '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';

declare module 'fastify' {
  interface FastifyRequest {
    ecommdTruncate?: boolean;
  }
}

export function setFaults(state: EcommdServerState, faults: Partial<EcommdFaults>): EcommdFaults {
  const next = { ...state.store.faults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(faults)) {
    if (!(k in NO_FAULTS)) throw new RangeError(`unknown fault knob "${k}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
    const def = NO_FAULTS[k as keyof EcommdFaults];
    if (v === null || v === undefined) next[k] = def;
    else if (typeof def === 'boolean') {
      if (typeof v !== 'boolean') throw new TypeError(`fault knob "${k}" must be a boolean`);
      next[k] = v;
    } else if (k === 'nextLinkOrigin') {
      if (typeof v !== 'string' || !/^https?:\/\/[^/]+$/.test(v)) throw new TypeError('fault knob "nextLinkOrigin" must be an origin such as http://backend:8000');
      next[k] = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`fault knob "${k}" must be a number >= 0`);
      next[k] = v;
    }
  }
  state.store.faults = next as unknown as EcommdFaults;
  state.faultTick = 0;
  return state.store.faults;
}

type Query = Record<string, string | string[] | undefined>;

/** a single query value; a repeated key takes the last one, as Django's QueryDict.get does */
function single(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** `page`: a positive integer, else DRF's 404 "Invalid page." (null) */
function pageNumber(q: Query): number | null {
  const raw = single(q, 'page') ?? '1';
  return /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : null;
}

/** DRF's _positive_int(strict=True) for page_size: anything else falls back to the default */
function pageSize(raw: string | undefined, cap: number): number {
  let size = API_DEFAULT_PAGE_SIZE;
  if (raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0) size = Number(raw);
  return Math.min(size, API_MAX_PAGE_SIZE, cap > 0 ? cap : Infinity);
}

export async function buildEcommdServer(state: EcommdServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, return503OnClosing: false });
  const { store, counters } = state;

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): FastifyReply {
    let payload = Buffer.from(JSON.stringify(body));
    if (status === 200 && request.ecommdTruncate) payload = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)));
    return reply.code(status).header('content-type', JSON_TYPE).header('vary', 'Accept, Accept-Language').send(payload);
  }

  /** DRF page-number pagination over `total` positions, `at(p)` giving the row at position p */
  function page<T>(request: FastifyRequest, reply: FastifyReply, total: number, at: (p: number) => T): FastifyReply {
    const q = request.query as Query;
    const pageNo = pageNumber(q);
    if (pageNo === null) return send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    return pageOf(request, reply, total, pageSize(single(q, 'page_size'), store.faults.pageCap), pageNo, at);
  }

  function pageOf<T>(request: FastifyRequest, reply: FastifyReply, total: number, size: number, pageNo: number, at: (p: number) => T): FastifyReply {
    const pages = Math.max(1, Math.ceil(total / size));
    if (pageNo > pages) return send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    const start = (pageNo - 1) * size;
    const stop = Math.min(total, start + size);
    const results: T[] = [];
    for (let p = start; p < stop; p++) results.push(at(p));
    return send(request, reply, 200, {
      count: total,
      next: pageNo < pages ? link(request, pageNo + 1) : null,
      previous: pageNo > 1 ? link(request, pageNo - 1) : null,
      results,
    });
  }

  /** DRF's replace_query_param / remove_query_param on the absolute request URL */
  function link(request: FastifyRequest, pageNo: number): string {
    const [path, query = ''] = request.url.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    if (pageNo === 1) params.delete('page');
    else params.set('page', String(pageNo));
    const origin = store.faults.nextLinkOrigin ?? `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
    const qs = params.toString();
    return `${origin}${path}${qs ? `?${qs}` : ''}`;
  }

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if (error.statusCode === 400 || error.statusCode === 415) return send(request, reply, 400, { detail: `JSON parse error - ${error.message}` });
    if (error.statusCode === 413) return send(request, reply, 413, { detail: 'Request body too large.' });
    return reply.code(500).header('content-type', 'text/html; charset=utf-8').send(SERVER_ERROR_HTML);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/external/')) return undefined;
    counters.total++;
    const key = `${request.method} ${request.routeOptions.url ?? '(no route)'}`;
    counters.byEndpoint[key] = (counters.byEndpoint[key] ?? 0) + 1;
    const lang = request.headers['accept-language'];
    const langKey = Array.isArray(lang) ? lang.join(',') : (lang ?? '(none)');
    counters.languages[langKey] = (counters.languages[langKey] ?? 0) + 1;
    const f = store.faults;
    const k = ++state.faultTick;
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    if (f.rateLimitEvery > 0 && k % f.rateLimitEvery === 0) {
      return reply
        .code(429)
        .header('retry-after', String(f.retryAfterSeconds))
        .header('content-type', JSON_TYPE)
        .send({ detail: `Request was throttled. Expected available in ${f.retryAfterSeconds} seconds.` });
    }
    if (f.errorEvery > 0 && k % f.errorEvery === 0) {
      return reply.code(500).header('content-type', 'text/html; charset=utf-8').send(SERVER_ERROR_HTML);
    }
    if (f.truncateEvery > 0 && k % f.truncateEvery === 0) request.ecommdTruncate = true;

    const apiToken = request.headers['api-token'];
    const token = request.headers.token;
    const seen = (counters.tokenHeaders[key] ??= {});
    if (apiToken !== undefined) seen['api-token'] = (seen['api-token'] ?? 0) + 1;
    if (token !== undefined) seen.token = (seen.token ?? 0) + 1;
    if (apiToken === undefined && token === undefined) {
      return reply.code(401).header('content-type', JSON_TYPE).send({ detail: MSG_NO_CREDENTIALS });
    }
    if (apiToken !== state.apiToken && token !== state.apiToken) {
      return reply.code(403).header('content-type', JSON_TYPE).send({ detail: MSG_INVALID_TOKEN });
    }
    return undefined;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith('/external/')) return;
    const s = String(reply.statusCode);
    counters.byStatus[s] = (counters.byStatus[s] ?? 0) + 1;
  });

  const langOfRequest = (request: FastifyRequest): Lang => langOf(request.headers['accept-language']);

  // ---------------------------------------------------------------- orders: list
  /** matching indices of a status-filtered query, cached for the paging of one query */
  let filterCache: { key: string; indices: Int32Array } | null = null;
  function filtered(first: number, statuses: ReadonlySet<string>): Int32Array {
    const key = `${first}|${[...statuses].sort().join(',')}|${store.version}`;
    if (filterCache?.key === key) return filterCache.indices;
    const out: number[] = [];
    for (let i = first; i < store.count(); i++) if (statuses.has(store.status(i))) out.push(i);
    filterCache = { key, indices: Int32Array.from(out) };
    return filterCache.indices;
  }

  app.get('/external/external-order', async (request, reply) => {
    const qs = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.code(301).header('location', `/external/external-order/${qs}`).send();
  });

  app.get('/external/external-order/', async (request, reply) => {
    const q = request.query as Query;
    if (counters.listQueries.length >= 200) counters.listQueries.shift();
    counters.listQueries.push(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v.join('|') : String(v)])));

    const errors: Record<string, string[]> = {};
    const createdAfter = single(q, 'created_after');
    if (createdAfter !== undefined && createdAfter !== '' && !/^-?\d+(\.\d+)?$/.test(createdAfter)) errors.created_after = ['Enter a number.'];
    const statusParam = single(q, 'status');
    let statuses: Set<string> | null = null;
    if (statusParam !== undefined && statusParam !== '') {
      statuses = new Set(statusParam.split(',').map((s) => s.trim()).filter((s) => s !== ''));
      const bad = [...statuses].find((s) => !isEcommdStatus(s));
      if (bad !== undefined) errors.status = [`Select a valid choice. ${bad} is not one of the available choices.`];
    }
    if (Object.keys(errors).length > 0) return send(request, reply, 400, errors);

    const ordering = single(q, 'ordering') ?? DEFAULT_ORDERING;
    // OrderingFilter ignores unknown fields and falls back to the default ordering
    const descending = ['created_at', 'id'].includes(ordering) ? false : ['-created_at', '-id'].includes(ordering) ? true : DEFAULT_ORDERING.startsWith('-');
    const lang = langOfRequest(request);
    const afterUs = createdAfter === undefined || createdAfter === '' ? null : Math.floor(Number(createdAfter)) * 1_000_000;

    const pageNo = pageNumber(q);
    if (pageNo === null) return send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    // a sync is paging right now: orders created meanwhile arrive before this page is computed
    if (pageNo >= 2 && store.faults.insertDuringPaging > 0) store.insertOrders(store.faults.insertDuringPaging);
    const first = afterUs === null ? 0 : store.firstAfter(afterUs);
    const indices = statuses === null ? null : filtered(first, statuses);
    const total = indices === null ? store.count() - first : indices.length;
    const size = pageSize(single(q, 'page_size'), store.faults.pageCap);
    return pageOf(request, reply, total, size, pageNo, (p) => {
      const pos = descending ? total - 1 - p : p;
      const index = indices === null ? first + pos : indices[pos]!;
      counters.ordersServed++;
      return store.order(index, lang);
    });
  });

  // ---------------------------------------------------------------- orders: one
  app.get('/external/external-order/:id/', async (request, reply) => {
    const { id } = request.params as { id: string };
    const index = /^\d+$/.test(id) ? store.indexOf(Number(id)) : -1;
    if (index < 0) return send(request, reply, 404, { detail: MSG_NOT_FOUND });
    counters.ordersServed++;
    return send(request, reply, 200, store.order(index, langOfRequest(request)));
  });

  // ---------------------------------------------------------------- orders: bulk upsert
  app.post('/external/external-order/', async (request, reply) => {
    const body = request.body;
    if (counters.upserts.length >= 50) counters.upserts.shift();
    counters.upserts.push(body);
    if (!Array.isArray(body)) {
      const type = body === null ? 'NoneType' : typeof body === 'object' ? 'dict' : typeof body === 'string' ? 'str' : typeof body;
      return send(request, reply, 400, { non_field_errors: [`Expected a list of items but got type "${type}".`] });
    }
    if (body.length === 0) return send(request, reply, 400, { non_field_errors: ['This list may not be empty.'] });
    const plans: Array<{ index: number; status: string | null }> = [];
    const errors = body.map((element) => validateUpsert(element, plans));
    if (errors.some((e) => Object.keys(e).length > 0)) return send(request, reply, 400, errors);
    for (const plan of plans) {
      if (plan.status === null || store.faults.ignoreWrites) continue;
      const current = store.status(plan.index);
      // [SIM] a closed order keeps its status: the upsert is accepted and changes nothing
      if (CLOSED_STATUSES.has(current) && plan.status !== current) continue;
      store.changeStatus(store.idOf(plan.index), plan.status);
    }
    const lang = langOfRequest(request);
    return send(request, reply, 200, plans.map((p) => store.order(p.index, lang)));
  });

  function validateUpsert(element: unknown, plans: Array<{ index: number; status: string | null }>): Record<string, unknown> {
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      return { non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(element) ? 'list' : typeof element}.`] };
    }
    const e = element as Record<string, unknown>;
    const errors: Record<string, unknown> = {};
    let index = -1;
    // [SIM] only updates are simulated: creating an order (no order_id) is refused
    if (e.order_id === undefined || e.order_id === null) errors.order_id = [MSG_REQUIRED];
    else if (!isInt(e.order_id)) errors.order_id = ['A valid integer is required.'];
    else {
      index = store.indexOf(Number(e.order_id));
      if (index < 0) errors.order_id = [`Invalid pk "${String(e.order_id)}" - object does not exist.`];
    }
    let status: string | null = null;
    if (e.status !== undefined && e.status !== null) {
      if (typeof e.status !== 'string' || !isEcommdStatus(e.status)) errors.status = [`"${String(e.status)}" is not a valid choice.`];
      else status = e.status;
    }
    const itemStatuses = new Set<string>();
    if (e.order_items !== undefined && e.order_items !== null) {
      if (!Array.isArray(e.order_items)) errors.order_items = { non_field_errors: [`Expected a list of items but got type "${typeof e.order_items}".`] };
      else {
        const known = index >= 0 ? new Set(store.itemIds(index)) : null;
        const itemErrors = e.order_items.map((item) => {
          const ie: Record<string, string[]> = {};
          if (item === null || typeof item !== 'object' || Array.isArray(item)) return { non_field_errors: ['Invalid data. Expected a dictionary.'] };
          const it = item as Record<string, unknown>;
          if (it.order_id === undefined || it.order_id === null) ie.order_id = [MSG_REQUIRED];
          else if (!isInt(it.order_id)) ie.order_id = ['A valid integer is required.'];
          else if (known !== null && !known.has(Number(it.order_id))) ie.order_id = [`Invalid pk "${String(it.order_id)}" - object does not exist.`];
          if (it.order_status !== undefined && it.order_status !== null) {
            if (typeof it.order_status !== 'string' || !isEcommdStatus(it.order_status)) ie.order_status = [`"${String(it.order_status)}" is not a valid choice.`];
            else itemStatuses.add(it.order_status);
          }
          if (it.quantity !== undefined && (!isInt(it.quantity) || Number(it.quantity) < 1)) ie.quantity = ['Ensure this value is greater than or equal to 1.'];
          if (it.product !== undefined && it.product !== null && !isInt(it.product)) ie.product = ['A valid integer is required.'];
          if (it.loyalty_price !== undefined && it.loyalty_price !== null && !/^\d+(\.\d{1,2})?$/.test(String(it.loyalty_price))) ie.loyalty_price = ['A valid number is required.'];
          return ie;
        });
        if (itemErrors.some((x) => Object.keys(x).length > 0)) errors.order_items = itemErrors;
      }
    }
    if (Object.keys(errors).length === 0) {
      // [SIM] one status per order: items must agree with each other and with a top-level status
      if (itemStatuses.size > 1) errors.order_items = { non_field_errors: ['All items of an order must have the same order_status.'] };
      else if (status !== null && itemStatuses.size === 1 && !itemStatuses.has(status)) {
        errors.non_field_errors = ['status and order_items[].order_status disagree.'];
      } else plans.push({ index, status: status ?? (itemStatuses.size === 1 ? [...itemStatuses][0]! : null) });
    }
    return errors;
  }

  // ---------------------------------------------------------------- reference data
  app.get('/external/shop/', async (request, reply) =>
    send(request, reply, 200, STORES.map((s, k) => ({
      id: s.id,
      lat: s.lat,
      lon: s.lon,
      tooltip_pin_text: s.tooltip,
      email: s.email,
      order: k + 1,
      description_ro: s.descriptionRo,
      description_ru: s.descriptionRu,
      description_en: null,
      description_uk: null,
      iframe: '',
      company_id: null,
      is_active: true,
      phones: s.phones.map((phone, n) => ({ id: s.id * 10 + n, phone })),
      addresses: {
        region_id: s.regionId, locality_id: s.localityId, sector_id: s.sectorId, address: s.address, house: s.house,
        entrance: null, apartment: null, zip_code: s.zip,
      },
    }))),
  );

  app.get('/external/region/', async (request, reply) => {
    const lang = langOfRequest(request);
    return send(request, reply, 200, REGIONS.map((r) => ({ id: r.id, name: nameIn(r, lang) })));
  });

  app.get('/external/locality/', async (request, reply) => {
    const q = request.query as Query;
    const region = single(q, 'region');
    if (region === undefined || region === '') return send(request, reply, 400, { region: [MSG_REQUIRED] });
    if (!/^\d+$/.test(region)) return send(request, reply, 400, { region: ['Enter a whole number.'] });
    const lang = langOfRequest(request);
    const rows = LOCALITIES.filter((l) => l.regionId === Number(region));
    return page(request, reply, rows.length, (p) => {
      const l = rows[p]!;
      return { id: l.id, name: nameIn(l, lang), region_id: l.regionId, zip_code: l.zip };
    });
  });

  app.get('/external/sector/', async (request, reply) => {
    const lang = langOfRequest(request);
    return send(request, reply, 200, SECTORS.map((s) => ({ id: s.id, name: nameIn(s, lang), locality_id: CHISINAU_CITY_ID })));
  });

  app.get('/external/product/', async (request, reply) => {
    const q = request.query as Query;
    const search = (single(q, 'search') ?? '').trim().toLowerCase();
    const lang = langOfRequest(request);
    // SearchFilter: every term must match id, code or a name (icontains)
    const terms = search.split(/\s+/).filter((t) => t !== '');
    const rows = CATALOGUE.filter((p) =>
      terms.every((t) => String(p.id) === t || p.code.toLowerCase().includes(t) || p.ro.toLowerCase().includes(t) || p.ru.toLowerCase().includes(t)),
    );
    return page(request, reply, rows.length, (n) => {
      const p = rows[n]!;
      return {
        id: p.id, code: p.code, name: lang === 'ru' ? p.ru : p.ro, price: money(p.price),
        loyalty_price: p.loyalty === null ? null : money(p.loyalty), is_active: true,
      };
    });
  });

  app.get('/external/promocode/', async (request, reply) =>
    page(request, reply, PROMO_CODES.length, (n) => {
      const p = PROMO_CODES[n]!;
      return { id: p.id, code: p.code, discount: `${p.discount}.00`, discount_type: 'percent', date_start: p.start, date_end: p.end, is_active: p.active };
    }),
  );

  // ---------------------------------------------------------------- control endpoints
  app.get('/__sim/stats', async () => ({
    requests: counters,
    orders: store.count(),
    generated: store.generated,
    inserted: store.insertedCount,
    statusChanges: store.statusChanges,
    faults: store.faults,
  }));
  app.get('/__sim/faults', async () => store.faults);
  app.post('/__sim/faults', async (request, reply) => {
    try {
      return setFaults(state, (request.body ?? {}) as Partial<EcommdFaults>);
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
  });
  app.delete('/__sim/faults', async () => setFaults(state, Object.fromEntries(Object.keys(NO_FAULTS).map((k) => [k, null]))));
  app.post('/__sim/orders', async (request) => {
    const body = (request.body ?? {}) as { count?: number };
    const count = typeof body.count === 'number' && body.count > 0 ? Math.floor(body.count) : 1;
    return { ids: store.insertOrders(count) };
  });
  app.get('/__sim/orders/:id', async (request, reply) => {
    const index = store.indexOf(Number((request.params as { id: string }).id));
    return index < 0 ? reply.code(404).send({ error: 'no such order' }) : store.order(index, langOf(request.headers['accept-language']));
  });
  app.post('/__sim/orders/:id/status', async (request, reply) => {
    const body = (request.body ?? {}) as { status?: unknown };
    if (typeof body.status !== 'string') return reply.code(400).send({ error: `body must be {"status": one of ${ECOMMD_STATUSES.join(', ')}}` });
    try {
      return store.changeStatus(Number((request.params as { id: string }).id), body.status);
    } catch (err) {
      return reply.code(404).send({ error: (err as Error).message });
    }
  });
  app.post('/__sim/change-random', async (request) => {
    const body = (request.body ?? {}) as { count?: number };
    return { changes: store.changeRandomOldOrders(typeof body.count === 'number' ? body.count : 1) };
  });
  app.post('/__sim/tick', async () => state.tick());
  app.post('/__sim/reset', async () => {
    state.reset();
    return { ok: true };
  });

  return app;
}

function isInt(v: unknown): boolean {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
}

function money(bani: number): string {
  return `${Math.floor(bani / 100)}.${String(bani % 100).padStart(2, '0')}`;
}
