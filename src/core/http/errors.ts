/**
 * Errors of the HTTP layer. The class tells the caller (and the retry loop) what to do next:
 * `retryable` ones may succeed on another attempt, the others never will without a change by a human.
 * Every message names the connection, the method and the URL (secrets in the query already redacted
 * by the client), because these messages end up in front of users who have no other context.
 */
import { OrderhubError, type OrderhubErrorCode } from '../errors.ts';

/** How much of a response body is kept on an error: enough to read the channel's message. */
export const ERROR_BODY_LIMIT = 2000;

/** Connection refused/reset, DNS failure, socket closed mid-body. Retryable. */
export class NetworkError extends OrderhubError {
  /** `code` lets subclasses (timeouts) keep their own code in reports */
  constructor(message: string, options: { cause?: unknown } = {}, code: OrderhubErrorCode = 'network_error') {
    super(code, message, { retryable: true, cause: options.cause });
  }
}

/** One attempt did not complete (connect + headers + body) within timeoutMs. */
export class TimeoutError extends NetworkError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options, 'timeout');
  }
}

/** The overall deadline of one logical request (all attempts and waits) passed. Not retryable. */
export class DeadlineExceededError extends OrderhubError {
  readonly attempts: number;
  readonly lastError: Error | undefined;
  constructor(message: string, options: { cause?: unknown; attempts?: number; lastError?: Error } = {}) {
    super('deadline_exceeded', message, { retryable: false, cause: options.cause ?? options.lastError });
    this.attempts = options.attempts ?? 0;
    this.lastError = options.lastError;
  }
}

/** Statuses worth another attempt: request timeout, rate limited, server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A non-2xx answer that is not an auth problem. Retryable for 408, 429 and 5xx. */
export class HttpStatusError extends OrderhubError {
  readonly status: number;
  /** first ERROR_BODY_LIMIT characters of the body */
  readonly body: string;
  /** redacted URL */
  readonly url: string;
  constructor(message: string, init: { status: number; body: string; url: string; cause?: unknown }) {
    super('http_status', message, { retryable: isRetryableStatus(init.status), cause: init.cause });
    this.status = init.status;
    this.body = init.body.slice(0, ERROR_BODY_LIMIT);
    this.url = init.url;
  }
}

/**
 * Credentials rejected (401 the auth strategy cannot fix, any 403) or a token endpoint refused the
 * client. Never retried: repeating a bad login gets clients blacklisted.
 */
export class AuthError extends OrderhubError {
  readonly status: number | undefined;
  readonly body: string | undefined;
  constructor(message: string, init: { status?: number; body?: string; cause?: unknown } = {}) {
    super('auth_failed', message, { retryable: false, cause: init.cause });
    this.status = init.status;
    this.body = init.body?.slice(0, ERROR_BODY_LIMIT);
  }
}

/**
 * A body that is not what was promised: invalid or truncated JSON, wrong shape. The client retries it
 * internally when asked to (parseJson); once it reaches a caller it is final, hence retryable=false.
 */
export class InvalidResponseError extends OrderhubError {
  /** the start of the offending body, for the message and for debugging */
  readonly snippet: string;
  constructor(message: string, init: { snippet?: string; cause?: unknown } = {}) {
    super('invalid_response', message, { retryable: false, cause: init.cause });
    this.snippet = init.snippet ?? '';
  }
}

/** Every attempt of the retry budget failed. Carries the last failure. */
/**
 * An attempt's message already names the connection and the request (`shop: GET http://…: …`), which
 * this error says first: without it the reader sees `shop: GET /api/order failed after 1 attempt:
 * shop: GET http://host/api/order?…: connect ECONNREFUSED`.
 */
function withoutPrefix(message: string, connection: string, method: string): string {
  const own = `${connection}: `;
  if (!message.startsWith(own)) return message;
  const rest = message.slice(own.length);
  const request = new RegExp(`^${method} \\S+: `);
  return rest.replace(request, '');
}

export class RetriesExhaustedError extends OrderhubError {
  readonly attempts: number;
  readonly lastError: Error;
  constructor(init: { connection: string; method: string; target: string; attempts: number; lastError: Error }) {
    const noun = init.attempts === 1 ? 'attempt' : 'attempts';
    super(
      'retries_exhausted',
      `${init.connection}: ${init.method} ${init.target} failed after ${init.attempts} ${noun}: ${withoutPrefix(init.lastError.message, init.connection, init.method)}`,
      { retryable: false, cause: init.lastError },
    );
    this.attempts = init.attempts;
    this.lastError = init.lastError;
  }
}
