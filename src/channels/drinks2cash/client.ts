/**
 * Thin typed client of the drinks2cash distributor API over the core HttpClient.
 *
 * Paths include `/api` (`/api/order`, …): the connection's baseUrl is the site root
 * (`https://drinks2cash.com`). Every answer is parsed (inside the retry loop, so a truncated body is
 * retried) and validated against the schemas in schemas.ts.
 */
import { Blob } from 'node:buffer';
import { FormData } from 'undici';
import type { z } from 'zod';
import type { HttpClient, HttpResponse } from '../../core/http/client.ts';
import { AuthError, HttpStatusError } from '../../core/http/errors.ts';
import { backoffDelayMs, parseRetryAfter } from '../../core/http/retry.ts';
import { snippet } from '../../core/http/snippet.ts';
import { ChannelRefusedError } from '../../core/errors.ts';
import { parseAnswer } from '../kit/answers.ts';
import { ChannelBadRequestError } from '../kit/errors.ts';
import {
  badRequestBodySchema,
  flattenDrinksMessage,
  messageEnvelopeSchema,
  orderListEnvelopeSchema,
} from './schemas.ts';
import { sleep } from '../../core/sleep.ts';

export const DRINKS_KEY_PAGE = 'https://drinks2cash.com/order/admin-importer';

export interface ListOrdersParams {
  /** YYYY-MM-DD (the API refuses date-times) */
  from?: string;
  /** YYYY-MM-DD, create date <= to */
  to?: string;
  limit?: number;
  /** PAGE INDEX counted from 0 (not a record offset) */
  offset?: number;
}

export interface DocumentToUpload {
  fileName: string;
  contentType: string;
  data: Buffer;
  /** one of DRINKS_DOCUMENT_TYPES */
  documentType: string;
  informClient: boolean;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The message of a 400 body, flattened; the raw text when it is not the documented shape. */
function messageOf(res: { text: string; json(): unknown }): string {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    return snippet(res.text);
  }
  const parsed = badRequestBodySchema.safeParse(body);
  return parsed.success ? flattenDrinksMessage(parsed.data.message) : snippet(res.text);
}

export class DrinksClient {
  constructor(private readonly http: HttpClient) {}

  /** Makes the core's 403 AuthError say what to do about it (same class, fields kept). */
  private static explainAuth(err: unknown): never {
    if (err instanceof AuthError && err.status === 403 && !err.message.startsWith('drinks2cash refused')) {
      err.message =
        `drinks2cash refused the API key (HTTP 403 Unauthorised) — check the key at ${DRINKS_KEY_PAGE}` +
        ` (${err.message})`;
    }
    throw err;
  }

  private validate<T>(schema: z.ZodType<T>, res: HttpResponse, what: string): T {
    return parseAnswer(schema, res, `drinks2cash ${what}: the answer is not the documented shape`);
  }

  /** GET /api/order — one page of orders created in [from, to] (whole days), raw records. */
  async listOrders(params: ListOrdersParams, signal?: AbortSignal): Promise<unknown[]> {
    for (const key of ['from', 'to'] as const) {
      const v = params[key];
      if (v !== undefined && !DATE_RE.test(v)) throw new TypeError(`listOrders: ${key} must be a date YYYY-MM-DD, got "${v}"`);
    }
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'GET',
        path: '/api/order',
        query: { from: params.from, to: params.to, limit: params.limit, offset: params.offset },
        signal,
        parseJson: true,
        retry: true,
        acceptStatuses: [400],
      });
    } catch (err) {
      return DrinksClient.explainAuth(err);
    }
    if (res.status === 400) {
      throw new ChannelBadRequestError(`drinks2cash refused the order list query (HTTP 400): ${messageOf(res)}`, { body: res.text });
    }
    return this.validate(orderListEnvelopeSchema, res, 'GET /api/order').data;
  }

  /** GET /api/order/{id} — the raw order, or null when the channel does not know it. */
  async getOrder(id: string | number, signal?: AbortSignal): Promise<unknown | null> {
    const key = String(id).trim();
    if (!/^\d+$/.test(key)) throw new TypeError(`getOrder: a drinks2cash order id has digits only, got "${key}"`);
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'GET',
        path: `/api/order/${key}`,
        signal,
        parseJson: true,
        retry: true,
        acceptStatuses: [400],
      });
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return null;
      return DrinksClient.explainAuth(err);
    }
    if (res.status === 400) {
      throw new ChannelBadRequestError(`drinks2cash refused GET /api/order/${key} (HTTP 400): ${messageOf(res)}`, { body: res.text });
    }
    const data = this.validate(orderListEnvelopeSchema, res, `GET /api/order/${key}`).data;
    return data.length === 0 ? null : data[0];
  }

  /**
   * PATCH /api/order-status/{id} {"status": …}. A 400 becomes ChannelRefusedError with the channel's
   * message. Retried on 429/5xx/timeouts: setting a status is idempotent.
   */
  async setStatus(id: string | number, status: string, signal?: AbortSignal): Promise<void> {
    const key = String(id).trim();
    if (!/^\d+$/.test(key)) throw new TypeError(`setStatus: a drinks2cash order id has digits only, got "${key}"`);
    let res: HttpResponse;
    try {
      res = await this.http.request({
        method: 'PATCH',
        path: `/api/order-status/${key}`,
        json: { status },
        signal,
        parseJson: true,
        retry: true,
        acceptStatuses: [400, 404],
      });
    } catch (err) {
      return DrinksClient.explainAuth(err);
    }
    if (res.status === 400 || res.status === 404) {
      throw new ChannelRefusedError(`drinks2cash refused the status change of order ${key} to ${status}: ${messageOf(res)}`);
    }
    this.validate(messageEnvelopeSchema, res, `PATCH /api/order-status/${key}`);
  }

  /**
   * POST /api/order-document (multipart: file, order_id, document_type, inform_client).
   * inform_client is sent as "1"/"0": a PHP backend casting "false" to bool would read true.
   * A POST is not retried by the core client (a lost answer could mean a duplicate document); only a
   * 429 — nothing was stored — is retried here, up to 3 times, honouring Retry-After. Any 2xx is
   * success, whatever its body (the document is stored).
   */
  async uploadDocument(orderId: string | number, doc: DocumentToUpload, signal?: AbortSignal): Promise<void> {
    const key = String(orderId).trim();
    if (!/^\d+$/.test(key)) throw new TypeError(`uploadDocument: a drinks2cash order id has digits only, got "${key}"`);
    const form = new FormData();
    form.append('file', new Blob([doc.data], { type: doc.contentType || 'application/octet-stream' }), doc.fileName);
    form.append('order_id', key);
    form.append('document_type', doc.documentType);
    form.append('inform_client', doc.informClient ? '1' : '0');
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.http.request({
          method: 'POST',
          path: '/api/order-document',
          multipart: form,
          signal,
          retry: false,
          acceptStatuses: [400, 404, 429],
        });
      } catch (err) {
        return DrinksClient.explainAuth(err);
      }
      if (res.status === 429) {
        if (attempt > 3) {
          throw new HttpStatusError(`drinks2cash: POST ${res.url}: HTTP 429 (rate limited) ${attempt} times: ${snippet(res.text)}`, {
            status: 429,
            body: res.text,
            url: res.url,
          });
        }
        const wait = parseRetryAfter(res.headers['retry-after']) ?? backoffDelayMs(attempt, 250, 5_000);
        await sleep(Math.min(wait, 30_000), signal);
        continue;
      }
      if (res.status === 400 || res.status === 404) {
        throw new ChannelRefusedError(
          `drinks2cash refused the ${doc.documentType} document for order ${key}: ${messageOf(res)}`,
        );
      }
      return;
    }
  }
}
