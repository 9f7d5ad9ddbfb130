/**
 * What one attempt's outcome means for the logical request: a response to return, a 401 the auth
 * strategy may fix, a failure worth another attempt, or an error that ends the request now (thrown).
 * The error classes themselves are in errors.ts.
 */
import { AuthError, HttpStatusError, NetworkError, TimeoutError, isRetryableStatus } from './errors.ts';
import { parseRetryAfter } from './retry.ts';
import { makeResponse, type HttpResponse, type RawResponse, type RequestTarget } from './response.ts';
import { snippet } from './snippet.ts';

/** What one attempt ended with, when it did not end the logical request. */
export interface Failure {
  error: Error;
  status?: number;
  retryAfterMs?: number | null;
}

export type AttemptOutcome =
  | { kind: 'done'; response: HttpResponse }
  | { kind: 'unauthorized'; error: AuthError }
  | { kind: 'failed'; failure: Failure };

/**
 * Judges an answer: 2xx (or an accepted status) is done, unless its body had to be JSON and is not;
 * 401 may be retried with fresh credentials; 403 and statuses that no retry fixes are thrown;
 * 408, 429 and 5xx are failures to retry, after Retry-After when the channel sent one.
 */
export function classifyAnswer(
  raw: RawResponse,
  target: RequestTarget,
  options: { acceptStatuses?: readonly number[] | undefined; parseJson?: boolean | undefined },
): AttemptOutcome {
  const { status } = raw;
  const ok = (status >= 200 && status < 300) || (options.acceptStatuses?.includes(status) ?? false);
  if (ok) {
    const response = makeResponse(raw, target);
    if (options.parseJson) {
      try {
        response.json();
      } catch (e) {
        return { kind: 'failed', failure: { error: e as Error, status } };
      }
    }
    return { kind: 'done', response };
  }
  if (status === 401 || status === 403) {
    const error = new AuthError(`${target.where}: HTTP ${status}, credentials rejected: ${snippet(raw.text)}`, {
      status,
      body: raw.text,
    });
    if (status === 403) throw error; // never fixable by a new token, never retried
    return { kind: 'unauthorized', error };
  }
  const error = new HttpStatusError(`${target.where}: HTTP ${status}: ${snippet(raw.text)}`, {
    status,
    body: raw.text,
    url: target.safeUrl,
  });
  if (!isRetryableStatus(status)) throw error;
  return { kind: 'failed', failure: { error, status, retryAfterMs: parseRetryAfter(raw.headers['retry-after']) } };
}

/**
 * The error a send that got no answer becomes: TimeoutError when the attempt ran out of time,
 * NetworkError for the network's failures (both retryable), and undici's complaint about our own
 * arguments as it is (a bug: retrying will not help).
 */
export function sendFailure(e: unknown, where: string, attempt: { timeoutMs: number; timedOut: boolean }): Error {
  if (attempt.timedOut || isUndiciTimeout(e)) {
    return new TimeoutError(`${where}: no complete response within ${attempt.timeoutMs} ms`, { cause: e });
  }
  if (isUndiciArgumentError(e)) return e as Error;
  return new NetworkError(`${where}: connection failed: ${describeNetworkError(e)}`, { cause: e });
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
