/**
 * Thin typed client of the ecom.md API over the core HttpClient: builds requests, follows DRF `next`
 * links on the configured host, validates every answer and turns the channel's error bodies into
 * clear errors. Which header carries the token is decided per endpoint in endpoints.ts.
 */
import type { z } from 'zod';
import type { ConnectorContext } from '../../core/connector.ts';
import { ChannelRefusedError } from '../../core/errors.ts';
import type { HttpClient, HttpResponse } from '../../core/http/client.ts';
import { AuthError, HttpStatusError, InvalidResponseError } from '../../core/http/errors.ts';
import { snippet } from '../../core/http/snippet.ts';
import { parseAnswer } from '../kit/answers.ts';
import { ChannelBadRequestError } from '../kit/errors.ts';
import {
  ORDER_LIST_PATH, TOKEN_HEADERS, orderPath, resolveNextLink, tokenHeadersAuth, type EcommdEndpoint,
} from './endpoints.ts';
import { detailBodySchema, flattenDrfErrors, listBodySchema, pageSchema, type DrfPage, type UpsertOrder } from './schemas.ts';

export interface ListOrdersQuery {
  /** Unix seconds; the API returns orders created after it */
  createdAfter?: number | undefined;
  /** sent comma-separated */
  statuses?: readonly string[] | undefined;
  /** created_at (ascending) or -created_at */
  ordering: string;
  pageSize: number;
}

export interface EcommdClientOptions {
  baseUrl: string;
  apiToken: string;
  /** Accept-Language */
  language: string;
  http: ConnectorContext['http'];
}

/** The channel's own words from an error body: DRF `detail`, field errors, or the raw text. */
export function channelMessage(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return snippet(text);
  }
  const detail = detailBodySchema.safeParse(body);
  if (detail.success) return detail.data.detail;
  const lines = flattenDrfErrors(body);
  return lines.length > 0 ? lines.join('; ') : snippet(text);
}

export class EcommdClient {
  private readonly clients = new Map<string, HttpClient>();
  readonly baseUrl: string;

  constructor(private readonly opts: EcommdClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** The HTTP client for an endpoint: one per distinct token-header set (see TOKEN_HEADERS). */
  private http(endpoint: EcommdEndpoint): HttpClient {
    const headers = TOKEN_HEADERS[endpoint];
    const key = headers.join(',');
    let client = this.clients.get(key);
    if (!client) {
      client = this.opts.http({
        baseUrl: this.baseUrl,
        auth: tokenHeadersAuth(headers, this.opts.apiToken),
        defaultHeaders: { 'accept-language': this.opts.language },
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Makes the core's AuthError say what to do (same class and fields). */
  private static explainAuth(err: unknown): never {
    if (err instanceof AuthError && !err.message.startsWith('ecom.md refused')) {
      const detail = err.body ? channelMessage(err.body) : '';
      err.message =
        `ecom.md refused the API token (HTTP ${err.status ?? '?'}${detail ? `: ${detail}` : ''}) — check apiToken ` +
        `(issued by the ecom.md site manager) (${err.message})`;
    }
    throw err;
  }

  private validate<T>(schema: z.ZodType<T>, res: HttpResponse, what: string): T {
    return parseAnswer(schema, res, `ecom.md ${what}: unexpected answer`);
  }

  private async get(endpoint: EcommdEndpoint, path: string, query: Record<string, string | number | undefined> | undefined, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      const res = await this.http(endpoint).request({
        method: 'GET', path, query, signal, parseJson: true, retry: true, acceptStatuses: [400],
      });
      if (res.status === 400) {
        throw new ChannelBadRequestError(`ecom.md refused GET ${res.url} (HTTP 400): ${channelMessage(res.text)}`, { body: res.text });
      }
      return res;
    } catch (err) {
      return EcommdClient.explainAuth(err);
    }
  }

  /** First page of GET /external/external-order/ with filters. */
  async listOrders(q: ListOrdersQuery, signal?: AbortSignal): Promise<DrfPage> {
    const res = await this.get('orders', ORDER_LIST_PATH, {
      created_after: q.createdAfter,
      status: q.statuses && q.statuses.length > 0 ? q.statuses.join(',') : undefined,
      ordering: q.ordering,
      page_size: q.pageSize,
    }, signal);
    return this.validate(pageSchema, res, `GET ${ORDER_LIST_PATH}`);
  }

  /**
   * A following page of the order list, by the previous page's `next` link. A 404 there is DRF's
   * "Invalid page.": the result set shrank under the paging (orders left a status filter); the walk
   * ends and the engine re-polls what it missed by id or window.
   */
  async listOrdersNext(next: string, signal?: AbortSignal): Promise<DrfPage & { invalidPage?: true }> {
    const url = resolveNextLink(next, this.baseUrl);
    try {
      const res = await this.get('orders', url, undefined, signal);
      return this.validate(pageSchema, res, `GET ${ORDER_LIST_PATH}`);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return { count: 0, next: null, previous: null, results: [], invalidPage: true };
      throw err;
    }
  }

  /** GET /external/external-order/{id}/ [ASSUMED path] — the raw order, or null when unknown (404). */
  async getOrder(id: string | number, signal?: AbortSignal): Promise<unknown | null> {
    const key = String(id).trim();
    if (!/^\d+$/.test(key)) throw new TypeError(`getOrder: an ecom.md order id has digits only, got "${key}"`);
    try {
      const res = await this.get('orders', orderPath(key), undefined, signal);
      const body = res.json();
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new InvalidResponseError(`ecom.md GET ${orderPath(key)}: expected one order object, got ${snippet(res.text)}`);
      }
      return body;
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * POST /external/external-order/ with a JSON array (bulk upsert). A 400 becomes
   * ChannelRefusedError with the channel's field messages. Retried on 429/5xx/timeouts like a GET:
   * upserting an absolute status on an existing order_id is idempotent.
   */
  async upsertOrders(orders: readonly UpsertOrder[], signal?: AbortSignal): Promise<void> {
    let res: HttpResponse;
    try {
      res = await this.http('orders').request({
        method: 'POST', path: ORDER_LIST_PATH, json: orders, signal, retry: true, acceptStatuses: [400],
      });
    } catch (err) {
      return EcommdClient.explainAuth(err);
    }
    if (res.status === 400) {
      const ids = orders.map((o) => o.order_id).join(', ');
      throw new ChannelRefusedError(`ecom.md refused the update of order ${ids}: ${channelMessage(res.text)}`);
    }
  }

  /**
   * One page of a reference list: a DRF page or a bare array (then it is the whole list).
   * `pathOrNext` is a path, or the previous page's `next` link.
   */
  async getList(endpoint: EcommdEndpoint, pathOrNext: string, signal?: AbortSignal): Promise<{ records: unknown[]; next: string | null }> {
    const url = /^https?:\/\//i.test(pathOrNext) ? resolveNextLink(pathOrNext, this.baseUrl) : pathOrNext;
    const res = await this.get(endpoint, url, undefined, signal);
    const body = this.validate(listBodySchema, res, `GET ${pathOrNext}`);
    return Array.isArray(body) ? { records: body, next: null } : { records: body.results, next: body.next };
  }
}
