/**
 * The HTTP client every channel connector uses. One instance per connection: it owns a keep-alive
 * undici Agent (global fetch is several times slower), a concurrency cap, a steady rate limit, the
 * per-attempt timeout, the deadline of a logical request, retries with backoff/Retry-After, auth
 * refresh after a 401, and secret-free logging. Connectors only build paths and read bodies.
 *
 * This file is the retry loop and the sending; around it: url.ts and body.ts (what is sent),
 * classify.ts (what an answer or a failed send means), response.ts (what is returned), deadline.ts
 * (the overall deadline), retry.ts (backoff and Retry-After), rate-limit.ts, auth.ts, errors.ts.
 */
import { Agent, request as undiciRequest } from 'undici';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { AuthStrategy } from './auth.ts';
import { encodeBody, type RequestBody } from './body.ts';
import { classifyAnswer, sendFailure, type AttemptOutcome, type Failure } from './classify.ts';
import { Deadline, abortable } from './deadline.ts';
import { DeadlineExceededError, NetworkError, RetriesExhaustedError } from './errors.ts';
import { flattenHeaders, lowerKeys, redactHeaders } from './headers.ts';
import { RateLimiter } from './rate-limit.ts';
import type { HttpResponse, RawResponse, RequestTarget } from './response.ts';
import { backoffDelayMs, retriesByDefault } from './retry.ts';
import { buildUrl, pathOf, type Query } from './url.ts';
import { decodeUtf8 } from './utf8.ts';
import { redactUrl } from '../log.ts';
import { sleep } from '../sleep.ts';

export { buildUrl, redactUrl };
export type { HttpResponse };
export type { QueryValue } from './url.ts';

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

export interface HttpRequest extends RequestBody {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** appended to baseUrl; an absolute http(s) URL (a "next" link) is used as is */
  path: string;
  /** null/undefined skipped; arrays repeat the key */
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** retry on network errors, timeouts, 408/429/5xx and (with parseJson) unparsable bodies.
   * Default: true for GET/PUT/DELETE, false for POST/PATCH (not idempotent) */
  retry?: boolean;
  /** statuses returned to the caller instead of thrown, e.g. [400] to read the channel's error body */
  acceptStatuses?: number[];
  /** parse the body as JSON inside the retry loop, so a truncated body counts as a failed attempt */
  parseJson?: boolean;
}

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
    const retry = req.retry ?? retriesByDefault(req.method);
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
  ): Promise<AttemptOutcome> {
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
    return classifyAnswer(raw, ctx, req);
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
      throw sendFailure(e, ctx.where, { timeoutMs: this.opts.timeoutMs, timedOut });
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
    if (this.log.isLevelEnabled('trace')) entry.requestHeaders = redactHeaders(headers, this.secretHeaders);
    this.log.debug(entry, 'HTTP attempt');
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

/** The request's URL, redacted URL and message prefix, made once for all its attempts. */
interface Ctx extends RequestTarget {
  method: HttpRequest['method'];
  url: string;
}
