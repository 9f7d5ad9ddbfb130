/**
 * How the simulated ecom.md answers, Django-REST-Framework style as the docs suggest: JSON with
 * `Vary: Accept, Accept-Language`, page-number pages `{count, next, previous, results}` with
 * absolute `next` links, `page_size` silently capped at 5000, `{"detail": …}` for auth, 404 and
 * throttling, Django's HTML page on a 500.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultKnobs } from '../../kit/simulator/faults.ts';
import type { EcommdFaults } from './store.ts';

export const API_MAX_PAGE_SIZE = 5000;
export const API_DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_ORDERING = '-created_at';

export const MSG_NO_CREDENTIALS = 'Authentication credentials were not provided.';
export const MSG_INVALID_TOKEN = 'Invalid token.';
export const MSG_INVALID_PAGE = 'Invalid page.';
export const MSG_NOT_FOUND = 'Not found.';
export const MSG_REQUIRED = 'This field is required.';

export const JSON_TYPE = 'application/json';
export const SERVER_ERROR_HTML = '<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';

export type Query = Record<string, string | string[] | undefined>;

/** a single query value; a repeated key takes the last one, as Django's QueryDict.get does */
export function single(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** `page`: a positive integer, else DRF's 404 "Invalid page." (null) */
export function pageNumber(q: Query): number | null {
  const raw = single(q, 'page') ?? '1';
  return /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : null;
}

/** DRF's _positive_int(strict=True) for page_size: anything else falls back to the default */
export function pageSize(raw: string | undefined, cap: number): number {
  let size = API_DEFAULT_PAGE_SIZE;
  if (raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0) size = Number(raw);
  return Math.min(size, API_MAX_PAGE_SIZE, cap > 0 ? cap : Infinity);
}

/** The answers of one simulated server: its knobs decide truncation, page caps and link origins. */
export class DrfAnswers {
  constructor(private readonly faults: FaultKnobs<EcommdFaults>) {}

  send(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): FastifyReply {
    const payload = this.faults.payload(request, status, Buffer.from(JSON.stringify(body)));
    return reply.code(status).header('content-type', JSON_TYPE).header('vary', 'Accept, Accept-Language').send(payload);
  }

  /** DRF page-number pagination over `total` positions, `at(p)` giving the row at position p */
  page<T>(request: FastifyRequest, reply: FastifyReply, total: number, at: (p: number) => T): FastifyReply {
    const q = request.query as Query;
    const pageNo = pageNumber(q);
    if (pageNo === null) return this.send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    return this.pageOf(request, reply, total, pageSize(single(q, 'page_size'), this.faults.current.pageCap), pageNo, at);
  }

  pageOf<T>(request: FastifyRequest, reply: FastifyReply, total: number, size: number, pageNo: number, at: (p: number) => T): FastifyReply {
    const pages = Math.max(1, Math.ceil(total / size));
    if (pageNo > pages) return this.send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    const start = (pageNo - 1) * size;
    const stop = Math.min(total, start + size);
    const results: T[] = [];
    for (let p = start; p < stop; p++) results.push(at(p));
    return this.send(request, reply, 200, {
      count: total,
      next: pageNo < pages ? this.link(request, pageNo + 1) : null,
      previous: pageNo > 1 ? this.link(request, pageNo - 1) : null,
      results,
    });
  }

  /** DRF's replace_query_param / remove_query_param on the absolute request URL */
  private link(request: FastifyRequest, pageNo: number): string {
    const [path, query = ''] = request.url.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    if (pageNo === 1) params.delete('page');
    else params.set('page', String(pageNo));
    const origin = this.faults.current.nextLinkOrigin ?? `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
    const qs = params.toString();
    return `${origin}${path}${qs ? `?${qs}` : ''}`;
  }
}
