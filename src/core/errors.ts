/**
 * Error catalogue of the core. The class decides what happens next: retryable errors are retried
 * within a budget, the others stop the work at once with their message shown to the user. The code
 * is what a sync run, a write-back record or an API answer says the failure was; every code is listed
 * in ORDERHUB_ERRORS (the API's own codes are in src/api/errors.ts; both tables are in docs/api.md).
 */

/**
 * Every code an OrderhubError carries (the core's, the HTTP layer's, and those channels raise), with
 * the HTTP status the API answers when such an error reaches a request (null: it does not — it ends a
 * sync or a write-back, which record it) and what it means.
 */
export const ORDERHUB_ERRORS = {
  not_found: { status: 404, meaning: 'no such order, write-back, webhook, delivery, connection or route' },
  write_back_unsupported: { status: 422, meaning: 'the channel (or this server\'s configuration) cannot take this write-back; never retried' },
  write_back_rule: { status: 422, meaning: 'orderhub refuses the write-back itself: the channel\'s documented rules forbid it' },
  config_invalid: { status: null, meaning: 'the configuration does not validate; the message lists every problem' },
  usage: { status: null, meaning: 'a command was given a value it cannot use' },
  channel_refused: { status: null, meaning: 'the channel refused a write with its own message; never retried' },
  channel_bad_request: { status: null, meaning: 'the channel answered a read with HTTP 400: the query is wrong, so it is not retried' },
  paging_incomplete: { status: null, meaning: 'paging could not be proven complete: the sync fails rather than store a partial result' },
  push_channel: { status: null, meaning: 'the channel pushes its orders to `orderhub serve`: there is nothing to pull' },
  no_shops: { status: null, meaning: 'the channel account lists no e-shop to sync' },
  reference_not_found: { status: null, meaning: 'the channel has no endpoint for a reference list (regions, stores…) at the configured path' },
  network_error: { status: null, meaning: 'connection refused or reset, DNS failure, socket closed mid-body; retried' },
  timeout: { status: null, meaning: 'one attempt got no complete response within its timeout; retried' },
  deadline_exceeded: { status: null, meaning: 'the request\'s overall deadline (every attempt and wait) passed' },
  http_status: { status: null, meaning: 'the channel answered another status than 2xx, 401 or 403; retried for 408, 429 and 5xx' },
  auth_failed: { status: null, meaning: 'the channel rejected the credentials (a 401 a new token cannot fix, any 403); never retried' },
  token_rate_limited: { status: null, meaning: 'the channel\'s token endpoint answered 429; the next sync asks again' },
  invalid_response: { status: null, meaning: 'the channel\'s body is not what it promised (not JSON, truncated, wrong shape)' },
  retries_exhausted: { status: null, meaning: 'every attempt of the retry budget failed; the message carries the last failure' },
  database_busy: { status: null, meaning: 'another process held the SQLite database\'s write lock longer than the work may wait (10 s; an API request answers 503 `unavailable` with `Retry-After` instead); retried' },
  error: { status: null, meaning: 'none of the above (an unexpected failure, e.g. a bug); write-backs retry it' },
} as const satisfies Record<string, { status: 404 | 422 | null; meaning: string }>;

export type OrderhubErrorCode = keyof typeof ORDERHUB_ERRORS;

export class OrderhubError extends Error {
  readonly code: OrderhubErrorCode;
  readonly retryable: boolean;
  constructor(code: OrderhubErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export class ConfigError extends OrderhubError {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super('config_invalid', `invalid configuration in ${source}:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** The channel refused a write (status change, document) with its own message. Never retried. */
export class ChannelRefusedError extends OrderhubError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('channel_refused', message, options);
  }
}

/** Paging could not be proven complete: the sync fails rather than treating a partial result as all. */
export class PagingError extends OrderhubError {
  constructor(message: string) {
    super('paging_incomplete', message);
  }
}

/** A write-back that orderhub refuses locally because the channel's documented rules forbid it. */
export class WriteBackRuleError extends OrderhubError {
  constructor(message: string) {
    super('write_back_rule', message);
  }
}

export class NotFoundError extends OrderhubError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/**
 * Another process held the SQLite store's write lock for longer than the work may wait
 * (store/sqlite-lock.ts). Nothing was written; trying again later is safe.
 */
export class StoreBusyError extends OrderhubError {
  constructor(
    /** the database file */
    readonly location: string,
    /** how long the work waited for the lock */
    readonly waitedMs: number,
    cause?: unknown,
  ) {
    super('database_busy', `the database ${location} is locked by another process (waited ${waitedMs} ms for its write lock); try again shortly`, { retryable: true, cause });
  }

  /** what to answer as Retry-After: the lock's holder is another process, so the wait again is a guess */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.waitedMs / 1000));
  }
}
