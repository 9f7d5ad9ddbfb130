/**
 * The HTTP client every channel connector uses. One instance per connection: it owns a keep-alive
 * undici Agent (global fetch is several times slower), a concurrency cap, a steady rate limit, the
 * per-attempt timeout, the deadline of a logical request, retries with backoff/Retry-After, auth
 * refresh after a 401, and secret-free logging. Connectors only build paths and read bodies.
 */
import { Agent, Response, request as undiciRequest, type FormData } from 'undici';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { AuthStrategy } from './auth.ts';
import {
  AuthError,
  DeadlineExceededError,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  RetriesExhaustedError,
  TimeoutError,
  isRetryableStatus,
} from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { backoffDelayMs, parseRetryAfter } from './retry.ts';
import { decodeUtf8 } from './utf8.ts';
import { redactUrl } from '../log.ts';
import { sleep } from '../sleep.ts';

export { redactUrl };

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpClientOptions {
  /** may include a path prefix: 'http://h:1/api' + '/order' => 'http://h:1/api/order' */
  baseUrl: string;
  /** connection name, used in logs and error messages */
  connection: string;
  logger: Logger;
  auth?: AuthStrategy;
  /** per attempt (connect + headers + body) */
  timeoutMs: number;
  /** for one logical request, all retries and waits included */
  deadlineMs: number;
  /** total attempts including the first */
  maxAttempts: number;
  /** steady rate towards the channel, shared by all requests of this client */
  requestsPerSecond: number;
  /** max in-flight requests of this client */
  concurrency: number;
  /** default 300 */
  baseDelayMs?: number;
  /** default 30_000 */
  maxDelayMs?: number;
  /** default 'orderhub/0.1' */
  userAgent?: string;
  defaultHeaders?: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** appended to baseUrl; an absolute http(s) URL (a "next" link) is used as is */
  path: string;
  /** null/undefined skipped; arrays repeat the key */
  query?: Record<string, QueryValue | QueryValue[]>;
  headers?: Record<string, string>;
  /** JSON body (also with DELETE) */
  json?: unknown;
  /** application/x-www-form-urlencoded */
  form?: Record<string, string>;
  /** multipart/form-data (undici's FormData) */
  multipart?: FormData;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** retry on network errors, timeouts, 408/429/5xx and (with parseJson) unparsable bodies.
   * Default: true for GET/PUT/DELETE, false for POST/PATCH (not idempotent) */
  retry?: boolean;
  /** statuses returned to the caller instead of thrown, e.g. [400] to read the channel's error body */
  acceptStatuses?: number[];
  /** parse the body as JSON inside the retry loop, so a truncated body counts as a failed attempt */
  parseJson?: boolean;
}

export interface HttpResponse {
  status: number;
  /** lower-case names, multi-values joined with ', ' */
  headers: Record<string, string>;
  text: string;
  /** with secrets in the query redacted */
  url: string;
  /** the parsed body; throws InvalidResponseError with a snippet when it is not JSON */
  json(): unknown;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

interface EncodedBody {
  body: string | Buffer | undefined;
  contentType: string | undefined;
}

/** What one attempt ended with, when it did not end the logical request. */
interface Failure {
  error: Error;
  status?: number;
  retryAfterMs?: number | null;
}

const SNIPPET = 200;

export class HttpClient {
  readonly stats = { requests: 0, retries: 0, tokenRetries: 0 };

  private readonly opts: HttpClientOptions;
  private readonly log: Logger;
  private readonly agent: Agent;
  private readonly limit: LimitFunction;
  private readonly rate: RateLimiter;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly fixedHeaders: Record<string, string>;
  private readonly secretHeaders: Set<string>;

  constructor(options: HttpClientOptions) {
    this.opts = options;
    // the connector's logger usually already carries the connection; do not bind it twice
    this.log = options.logger.bindings().connection === undefined
      ? options.logger.child({ connection: options.connection })
      : options.logger;
    this.agent = new Agent({
      connections: options.concurrency,
      keepAliveTimeout: 30_000,
      // our own timer enforces timeoutMs for the whole attempt; these are only a safety net
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.limit = pLimit(options.concurrency);
    this.rate = new RateLimiter(options.requestsPerSecond);
    this.baseDelayMs = options.baseDelayMs ?? 300;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.fixedHeaders = { 'user-agent': options.userAgent ?? 'orderhub/0.1', ...lowerKeys(options.defaultHeaders ?? {}) };
    this.secretHeaders = new Set(['authorization', 'cookie', ...(options.auth?.secretHeaders ?? [])]);
  }

  /** GET + parseJson + retry */
  async getJson(path: string, query?: HttpRequest['query'], signal?: AbortSignal): Promise<unknown> {
    const res = await this.request({ method: 'GET', path, query, signal, parseJson: true, retry: true });
    return res.json();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(this.opts.baseUrl, req.path, req.query);
    const safeUrl = redactUrl(url);
    const ctx: Ctx = {
      method: req.method,
      url,
      safeUrl,
      where: `${this.opts.connection}: ${req.method} ${safeUrl}`,
    };
    const retry = req.retry ?? !(req.method === 'POST' || req.method === 'PATCH');
    const maxAttempts = retry ? Math.max(1, this.opts.maxAttempts) : 1;
    const encoded = await encodeBody(req);
    const deadline = new Deadline(this.opts.deadlineMs, req.signal);
    const signal = deadline.signal;

    let attempt = 0;
    let authRetried = false;
    let last: Failure | undefined;
    try {
      for (;;) {
        attempt++;
        const headers: Record<string, string> = { ...this.fixedHeaders, ...lowerKeys(req.headers ?? {}) };
        if (encoded.contentType && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
        if (req.parseJson && headers.accept === undefined) headers.accept = 'application/json';
        // Before taking a concurrency slot: a token fetch may go through this very client.
        // Its errors (e.g. AuthError for invalid_client) end the request: no retry loop on logins.
        if (this.opts.auth) await this.opts.auth.apply(headers, signal);

        const outcome = await this.attempt(ctx, attempt, headers, encoded.body, req, signal);
        if (outcome.kind === 'done') return outcome.response;

        if (outcome.kind === 'unauthorized') {
          const hook = this.opts.auth?.onUnauthorized;
          if (hook && !authRetried) {
            authRetried = true;
            if (await hook.call(this.opts.auth, headers, signal)) {
              // one retry with fresh credentials, outside the attempt budget
              this.stats.tokenRetries++;
              attempt--;
              this.log.warn({ method: ctx.method, url: safeUrl }, 'HTTP 401: retrying once with fresh credentials');
              continue;
            }
          }
          throw outcome.error;
        }

        last = outcome.failure;
        if (!retry) throw last.error;
        if (attempt >= maxAttempts) {
          throw new RetriesExhaustedError({
            connection: this.opts.connection,
            method: ctx.method,
            target: pathOf(safeUrl),
            attempts: attempt,
            lastError: last.error,
          });
        }
        const delay = last.retryAfterMs ?? backoffDelayMs(attempt, this.baseDelayMs, this.maxDelayMs);
        if (deadline.remaining() <= delay) {
          // waiting would pass the deadline: say so now instead of sleeping into certain failure
          throw new DeadlineExceededError(
            `${ctx.where}: deadline of ${this.opts.deadlineMs} ms would pass before retry ${attempt} ` +
              `(wait ${delay} ms) after ${attempt} attempts: ${last.error.message}`,
            { attempts: attempt, lastError: last.error },
          );
        }
        this.stats.retries++;
        this.log.warn(
          { method: ctx.method, url: safeUrl, status: last.status, attempt, delayMs: delay, err: last.error.message },
          'HTTP attempt failed, retrying',
        );
        await sleep(delay, signal);
      }
    } catch (e) {
      if (deadline.expired) {
        const lastError = last?.error;
        throw new DeadlineExceededError(
          `${ctx.where}: deadline of ${this.opts.deadlineMs} ms exceeded after ${attempt} attempts` +
            (lastError ? `: ${lastError.message}` : ''),
          { attempts: attempt, lastError, cause: lastError ?? e },
        );
      }
      if (req.signal?.aborted) throw req.signal.reason;
      throw e;
    } finally {
      deadline.dispose();
    }
  }

  /** One attempt: slot, rate token, send, read the body, classify. */
  private async attempt(
    ctx: Ctx,
    attempt: number,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    req: HttpRequest,
    signal: AbortSignal,
  ): Promise<
    | { kind: 'done'; response: HttpResponse }
    | { kind: 'unauthorized'; error: AuthError }
    | { kind: 'failed'; failure: Failure }
  > {
    const started = performance.now();
    let raw: RawResponse;
    try {
      raw = await abortable(
        this.limit(() => this.send(ctx, headers, body, signal)),
        signal,
      );
    } catch (e) {
      if (signal.aborted || !(e instanceof NetworkError)) throw e;
      this.logAttempt(ctx, attempt, undefined, started, headers, e.message);
      return { kind: 'failed', failure: { error: e } };
    }
    this.logAttempt(ctx, attempt, raw.status, started, headers);

    const { status } = raw;
    const ok = (status >= 200 && status < 300) || (req.acceptStatuses?.includes(status) ?? false);
    if (ok) {
      const response = makeResponse(raw, ctx);
      if (req.parseJson) {
        try {
          response.json();
        } catch (e) {
          return { kind: 'failed', failure: { error: e as Error, status } };
        }
      }
      return { kind: 'done', response };
    }
    if (status === 401 || status === 403) {
      const error = new AuthError(`${ctx.where}: HTTP ${status}, credentials rejected: ${snippet(raw.text)}`, {
        status,
        body: raw.text,
      });
      if (status === 403) throw error; // never fixable by a new token, never retried
      return { kind: 'unauthorized', error };
    }
    const error = new HttpStatusError(`${ctx.where}: HTTP ${status}: ${snippet(raw.text)}`, {
      status,
      body: raw.text,
      url: ctx.safeUrl,
    });
    if (!isRetryableStatus(status)) throw error;
    return { kind: 'failed', failure: { error, status, retryAfterMs: parseRetryAfter(raw.headers['retry-after']) } };
  }

  /** Runs inside a concurrency slot. Throws NetworkError/TimeoutError, or the abort reason. */
  private async send(ctx: Ctx, headers: Record<string, string>, body: string | Buffer | undefined, signal: AbortSignal): Promise<RawResponse> {
    signal.throwIfAborted(); // gave up while queued for the slot: send nothing
    await this.rate.acquire(signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('attempt timeout'));
    }, this.opts.timeoutMs);
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.stats.requests++;
    try {
      const res = await undiciRequest(ctx.url, {
        dispatcher: this.agent,
        method: ctx.method,
        headers,
        body,
        signal: controller.signal,
      });
      // always read the whole body: it is what we return, and it frees the socket for keep-alive
      const text = decodeUtf8(Buffer.from(await res.body.arrayBuffer()));
      return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if (timedOut || isUndiciTimeout(e)) {
        throw new TimeoutError(`${ctx.where}: no complete response within ${this.opts.timeoutMs} ms`, { cause: e });
      }
      if (isUndiciArgumentError(e)) throw e; // our bug, not the network's: retrying will not help
      throw new NetworkError(`${ctx.where}: connection failed: ${describeNetworkError(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private logAttempt(ctx: Ctx, attempt: number, status: number | undefined, started: number, headers: Record<string, string>, err?: string): void {
    if (!this.log.isLevelEnabled('debug')) return;
    const ms = Math.round(performance.now() - started);
    const entry: Record<string, unknown> = { method: ctx.method, url: ctx.safeUrl, status, attempt, ms };
    if (err !== undefined) entry.err = err;
    if (this.log.isLevelEnabled('trace')) entry.requestHeaders = this.redactHeaders(headers);
    this.log.debug(entry, 'HTTP attempt');
  }

  private redactHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) out[k] = this.secretHeaders.has(k) ? '[redacted]' : v;
    return out;
  }

  private closing: Promise<void> | null = null;

  /** Idempotent: a connector and the runtime that created it may both close the same client. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.rate.close(new Error(`${this.opts.connection}: HTTP client closed`));
      await this.agent.close();
    })();
    return this.closing;
  }
}

interface Ctx {
  method: HttpRequest['method'];
  url: string;
  safeUrl: string;
  /** "<connection>: <METHOD> <redacted url>", the prefix of every error message */
  where: string;
}

/**
 * The deadline of one logical request, as a signal that also follows the caller's signal. One
 * listener and one timer per request (not AbortSignal.any, which leaks on long-lived parent signals
 * in Node 20).
 */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private readonly parent: AbortSignal | undefined;
  private readonly onParentAbort: () => void;
  expired = false;

  constructor(ms: number, parent: AbortSignal | undefined) {
    this.endsAt = performance.now() + ms;
    this.parent = parent;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('deadline exceeded'));
    }, ms);
    this.onParentAbort = () => this.controller.abort(parent?.reason);
    if (parent?.aborted) this.onParentAbort();
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remaining(): number {
    return this.endsAt - performance.now();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

export function buildUrl(baseUrl: string, path: string, query?: HttpRequest['query']): string {
  let url = /^https?:\/\//i.test(path)
    ? path
    : `${baseUrl.replace(/\/+$/, '')}${path === '' || path.startsWith('/') || path.startsWith('?') ? '' : '/'}${path}`;
  const qs = encodeQuery(query);
  if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  return url;
}

function encodeQuery(query: HttpRequest['query']): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null || v === undefined) continue;
      // encodeURIComponent, not URLSearchParams: a space must be %20 in a query, '+' is ambiguous
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.join('&');
}

async function encodeBody(req: HttpRequest): Promise<EncodedBody> {
  if (req.json !== undefined) return { body: JSON.stringify(req.json), contentType: 'application/json; charset=utf-8' };
  if (req.form) return { body: new URLSearchParams(req.form).toString(), contentType: 'application/x-www-form-urlencoded' };
  if (req.multipart) {
    // serialised once into a Buffer so that a retry can send the very same bytes again
    const r = new Response(req.multipart);
    return { body: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get('content-type') ?? undefined };
  }
  return { body: req.body, contentType: undefined };
}

function makeResponse(raw: RawResponse, ctx: Ctx): HttpResponse {
  let parsed: { value: unknown } | undefined;
  return {
    status: raw.status,
    headers: raw.headers,
    text: raw.text,
    url: ctx.safeUrl,
    json() {
      if (!parsed) {
        if (raw.text.trim() === '') {
          throw new InvalidResponseError(`${ctx.where}: empty body where JSON was expected (HTTP ${raw.status})`);
        }
        try {
          parsed = { value: JSON.parse(raw.text) };
        } catch (e) {
          throw new InvalidResponseError(
            `${ctx.where}: body is not valid JSON (${(e as Error).message}; ${raw.text.length} characters): ${snippet(raw.text)}`,
            { snippet: raw.text.slice(0, SNIPPET), cause: e },
          );
        }
      }
      return parsed.value;
    },
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > SNIPPET ? `${t.slice(0, SNIPPET)}…` : t || '(empty body)';
}

/** "/api/order?x=1" of a URL, for compact messages. */
function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url);
  return m?.[1] || '/';
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isUndiciTimeout(e: unknown): boolean {
  const code = errorCode(e);
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function isUndiciArgumentError(e: unknown): boolean {
  return errorCode(e) === 'UND_ERR_INVALID_ARG';
}

function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = errorCode(e);
  // undici wraps socket errors; the cause carries the syscall code (ECONNREFUSED, ENOTFOUND…)
  const causeCode = errorCode(e.cause);
  const codes = [code, causeCode].filter((c, i, a): c is string => c !== undefined && a.indexOf(c) === i);
  return codes.length ? `${codes.join('/')} ${e.message}` : e.message;
}

/** Waits for `p`, but rejects as soon as `signal` aborts (p-limit's queue cannot be left otherwise). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
