/**
 * Thin typed client of the Dropohs API over the core HttpClient.
 *
 * Every answer is the envelope `{code, message, data}`; `code` mirrors an HTTP status and `message`
 * is non-empty only on errors. The envelope is the truth even when HTTP says 200: an error `code` or
 * a non-empty `message` is an error. Envelope errors with a 429/5xx-like code are retried here (the
 * core client only sees an HTTP 200); the rest fail at once with the channel's own message.
 */
import { z } from 'zod';
import type { HttpClient, HttpResponse, QueryValue } from '../../core/http/client.ts';
import { AuthError, HttpStatusError, InvalidResponseError, isRetryableStatus } from '../../core/http/errors.ts';
import { backoffDelayMs } from '../../core/http/retry.ts';
import { snippet } from '../../core/http/snippet.ts';
import { PagingError } from '../../core/errors.ts';
import { parseAnswer } from '../kit/answers.ts';
import { envelopeSchema, shopSchema, type DropohsShop } from './schemas.ts';
import { sleep } from '../../core/sleep.ts';

/** An error the API reported inside its envelope. Retryable (by the core's rules) only for 408/429/5xx codes. */
export class DropohsApiError extends HttpStatusError {
  /** the envelope's `code` */
  readonly apiCode: number;
  /** the envelope's `message` */
  readonly apiMessage: string;
  constructor(message: string, init: { apiCode: number; apiMessage: string; httpStatus: number; body: string; url: string }) {
    // `status` is the channel's error code; a code-200 envelope that still carries a message keeps the
    // HTTP status (200), which no retry policy treats as retryable.
    super(message, { status: init.apiCode !== 200 ? init.apiCode : init.httpStatus, body: init.body, url: init.url });
    this.apiCode = init.apiCode;
    this.apiMessage = init.apiMessage;
  }
}

export interface DropohsClientOptions {
  /** connection name, for messages */
  connection: string;
  /** attempts for envelope errors with a retryable code (HTTP-level retries are the core client's) */
  maxAttempts: number;
  /** first backoff step for envelope retries; default 300 ms */
  baseDelayMs?: number;
  /** backoff ceiling for envelope retries; default 10 s */
  maxDelayMs?: number;
}

/** Safety stop for the product listing (a channel that ignores `offset` would never end). */
const MAX_PRODUCT_PAGES = 100_000;

const listSchema = z.array(z.unknown());

/** The `message` of an envelope body, or null. */
function envelopeMessage(body: string | undefined): string | null {
  if (!body) return null;
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(body));
    const m = parsed.success ? parsed.data.message?.trim() : undefined;
    return m ? m : null;
  } catch {
    return null;
  }
}


export class DropohsClient {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  /** envelope-level retries done (for tests and diagnostics) */
  envelopeRetries = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: DropohsClientOptions,
  ) {
    this.baseDelayMs = opts.baseDelayMs ?? 300;
    this.maxDelayMs = opts.maxDelayMs ?? 10_000;
  }

  /** The core AuthError, said in Dropohs terms (the channel's message, what to check). */
  private explainAuth(err: AuthError, what: string): AuthError {
    const said = envelopeMessage(err.body);
    return new AuthError(
      `${this.opts.connection}: Dropohs refused the API token on ${what} (HTTP ${err.status ?? '?'}${said ? `: "${said}"` : ''});` +
        ' check `token` of this connection (the API token from the e-shop administration)',
      { status: err.status, body: err.body, cause: err },
    );
  }

  /** GET one documented path; returns the envelope's `data` or throws the channel's error. */
  async call(path: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<unknown> {
    const what = `GET ${path}`;
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.http.request({
          method: 'GET',
          path,
          query,
          signal,
          parseJson: true,
          retry: true,
          // their bodies carry the channel's message; read it instead of a bare "HTTP 404"
          acceptStatuses: [400, 404, 405, 409, 422],
        });
      } catch (err) {
        if (err instanceof AuthError) throw this.explainAuth(err, what);
        throw err;
      }
      const env = parseAnswer(envelopeSchema, res, `${this.opts.connection}: Dropohs ${what}: the answer is not the documented {code, message, data} envelope`);
      const message = (env.message ?? '').trim();
      if (env.code === 200 && message === '' && res.status >= 200 && res.status < 300) return env.data;

      const code = env.code !== 200 ? env.code : res.status;
      const said = message === '' ? '(no message)' : `"${message}"`;
      if (code === 401 || code === 403) {
        throw new AuthError(
          `${this.opts.connection}: Dropohs refused the API token on ${what} (code ${code}: ${said}); check \`token\` of this connection`,
          { status: code, body: res.text },
        );
      }
      const error = new DropohsApiError(
        `${this.opts.connection}: Dropohs ${what} from ${res.url} answered code ${env.code}${res.status !== env.code ? ` (HTTP ${res.status})` : ''}: ${said}` +
          (attempt > 1 ? ` (after ${attempt} attempts)` : ''),
        { apiCode: env.code, apiMessage: message, httpStatus: res.status, body: res.text, url: res.url },
      );
      if (!isRetryableStatus(code) || attempt >= this.opts.maxAttempts) throw error;
      this.envelopeRetries++;
      await sleep(backoffDelayMs(attempt, this.baseDelayMs, this.maxDelayMs), signal);
    }
  }

  private async callList(path: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<unknown[]> {
    const data = await this.call(path, query, signal);
    const parsed = listSchema.safeParse(data);
    if (!parsed.success) {
      throw new InvalidResponseError(
        `${this.opts.connection}: Dropohs GET ${path}: \`data\` must be an array, got ${snippet(JSON.stringify(data) ?? 'undefined', 80)}`,
      );
    }
    return parsed.data;
  }

  /** GET /shops — the token's e-shops. */
  async listShops(signal?: AbortSignal): Promise<DropohsShop[]> {
    const data = await this.callList('/shops', {}, signal);
    return data.map((raw, i) => {
      const parsed = shopSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InvalidResponseError(
          `${this.opts.connection}: Dropohs GET /shops: data[${i}].${issue.path.join('.')}: ${issue.message} (got ${snippet(JSON.stringify(raw) ?? '', 80)})`,
        );
      }
      return parsed.data;
    });
  }

  /** GET /orders — raw orders from record `offset` (not a page index). Validated by the mapping, one by one. */
  listOrders(shopId: number, offset: number, limit: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.callList('/orders', { shopId, offset, limit }, signal);
  }

  /** GET /orders?id= — one raw order of a shop, or null. */
  async getOrder(shopId: number, id: string | number, signal?: AbortSignal): Promise<unknown | null> {
    const data = await this.callList('/orders', { shopId, id }, signal);
    return data[0] ?? null;
  }

  /** GET /products — raw products from record `offset`. */
  listProducts(shopId: number, offset: number, limit: number, signal?: AbortSignal): Promise<unknown[]> {
    return this.callList('/products', { shopId, offset, limit }, signal);
  }

  /**
   * Every product of a shop: pages to an empty page, the offset advanced by what was received (a
   * silently capped page must not skip products).
   */
  async listAllProducts(shopId: number, pageSize: number, signal?: AbortSignal): Promise<unknown[]> {
    const all: unknown[] = [];
    let offset = 0;
    let previous: string | null = null;
    for (let page = 0; ; page++) {
      if (page >= MAX_PRODUCT_PAGES) {
        throw new PagingError(`${this.opts.connection}: Dropohs GET /products of e-shop ${shopId} never returned an empty page`);
      }
      const records = await this.listProducts(shopId, offset, pageSize, signal);
      if (records.length === 0) return all;
      const idOf = (r: unknown) => (r && typeof r === 'object' ? JSON.stringify((r as { id?: unknown }).id ?? null) : 'null');
      const signature = `${records.length}|${idOf(records[0])}|${idOf(records[records.length - 1])}`;
      if (signature === previous) {
        throw new PagingError(
          `${this.opts.connection}: Dropohs GET /products of e-shop ${shopId} returned the same page twice (offset ${offset}): it seems to ignore the offset`,
        );
      }
      previous = signature;
      for (const r of records) all.push(r);
      offset += records.length;
    }
  }
}
