/**
 * The API's one error envelope, `{ error: { code, message, details? } }`, with stable codes, and the
 * Fastify error/404 handlers that map every failure onto it. A client's mistake is always a 4xx with
 * a clear code; only our own faults are 500 `internal`, and those never carry a stack or a secret.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ORDERHUB_ERRORS, OrderhubError, StoreBusyError, type OrderhubErrorCode } from '../core/errors.ts';
import { answerBeforeBody, isDrainingAnsweredBody } from '../core/http/unread-body.ts';

/** The codes only the API answers, with their HTTP status and what they mean. */
const API_ONLY_ERRORS = {
  validation_failed: {
    status: 400,
    meaning: 'a query parameter, path parameter or body field is missing, of the wrong type, out of range or unknown (inputs are strict), a name (connection, channel, status) is not one that exists, or a cursor was not made by this API',
  },
  invalid_json: { status: 400, meaning: 'the body is not JSON (or contains `__proto__` / `constructor.prototype`)' },
  unauthorized: { status: 401, meaning: 'no API key, or an unknown or revoked one' },
  forbidden: { status: 403, meaning: 'a read-only key on a write route' },
  sync_in_progress: { status: 409, meaning: 'a sync of that connection is already running' },
  idempotency_in_progress: { status: 409, meaning: 'a request with the same `Idempotency-Key` is still running (rare: the second one normally waits and replays)' },
  request_timeout: { status: 408, meaning: 'the request (head and body) did not arrive within 30 s (`requestTimeout`)' },
  payload_too_large: { status: 413, meaning: 'the body is larger than the server accepts (1 MiB by default)' },
  unsupported_media_type: { status: 415, meaning: 'a body that is not `application/json`' },
  headers_too_large: { status: 431, meaning: 'the request\'s head is larger than the server accepts' },
  idempotency_conflict: { status: 422, meaning: 'the `Idempotency-Key` was used before with a different request' },
  internal: { status: 500, meaning: 'our fault; the message never contains a stack trace, the server log has the details' },
  unavailable: { status: 503, meaning: 'the server is shutting down, the database does not answer (`/readyz`), or another process holds the SQLite database\'s write lock longer than a request waits (5 s; `Retry-After` says when to try again)' },
} as const;

/**
 * Every code the API answers: its own, and the core's that have an HTTP status (an OrderhubError
 * with one of those codes is answered with it). docs/api.md "Error codes" is this table.
 */
export const API_ERRORS = {
  ...API_ONLY_ERRORS,
  not_found: ORDERHUB_ERRORS.not_found,
  write_back_unsupported: ORDERHUB_ERRORS.write_back_unsupported,
  write_back_rule: ORDERHUB_ERRORS.write_back_rule,
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The HTTP status the catalogue gives `code`. */
export type ApiErrorStatus<C extends ApiErrorCode> = (typeof API_ERRORS)[C]['status'];

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

export class ApiError<C extends ApiErrorCode = ApiErrorCode> extends Error {
  constructor(
    /** the catalogue's status for `code` (the compiler checks that they agree) */
    readonly statusCode: ApiErrorStatus<C>,
    readonly code: C,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

export function errorBody(code: ApiErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

type ErrorResponse = { statusCode: number; body: ErrorBody; internal: boolean; headers?: Record<string, string> };

/** The answer with `code`'s status from the catalogue. */
function answer(code: ApiErrorCode, message: string, details?: unknown): ErrorResponse {
  return { statusCode: API_ERRORS[code].status, body: errorBody(code, message, details), internal: code === 'internal' };
}

/** An answer lists at most this many issues (and how many there were): 120 000 bad items once made a 17 MB answer. */
export const MAX_LISTED_ISSUES = 20;
/** and keeps each issue's message to this many characters ("Unrecognized keys: …" names every key) */
const MAX_ISSUE_MESSAGE = 300;

interface ZodIssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  errors?: ZodIssueLike[][];
}

function shortened(message: string): string {
  return message.length > MAX_ISSUE_MESSAGE ? `${message.slice(0, MAX_ISSUE_MESSAGE - 1)}…` : message;
}

/**
 * The issues of a failed union come per option; when only one option is of the input's type (an
 * array, not the CSV text), its issues are the useful ones ("Too big", "0.code: required") rather
 * than "Invalid input".
 */
function* issuesOf(issue: ZodIssueLike, at: readonly PropertyKey[]): Generator<{ path: readonly PropertyKey[]; message: string }> {
  if (issue.code === 'invalid_union' && Array.isArray(issue.errors)) {
    const ofType = issue.errors.filter((option) => !option.some((i) => i.code === 'invalid_type' && (i.path ?? []).length === 0));
    if (ofType.length === 1) {
      for (const nested of ofType[0]!) yield* issuesOf(nested, [...at, ...(nested.path ?? [])]);
      return;
    }
  }
  yield { path: at, message: issue.message ?? 'invalid' };
}

/** A failed schema validation as the envelope: the first issue in the message, the first 20 listed. */
function validationAnswer(where: string, validation: ReadonlyArray<{ instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }>): ErrorResponse {
  const issues: Array<{ in: string; path: string; message: string }> = [];
  let issueCount = 0;
  for (const v of validation) {
    const at = String(v.instancePath ?? '').replace(/^\//, '').split('/').filter((p) => p !== '');
    for (const issue of issuesOf({ code: v.keyword, message: v.message, errors: v.params?.errors as ZodIssueLike[][] | undefined }, at)) {
      issueCount++;
      if (issues.length < MAX_LISTED_ISSUES) issues.push({ in: where, path: issue.path.map(String).join('.'), message: shortened(issue.message) });
    }
  }
  const first = issues[0];
  const message = first ? `invalid ${where}${first.path ? ` at ${first.path}` : ''}: ${first.message}` : `invalid ${where}`;
  return answer('validation_failed', message, issueCount > issues.length ? { issues, issueCount } : { issues });
}

/** Maps any thrown value to (status, envelope). */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError) return { statusCode: err.statusCode, body: err.body(), internal: false };
  if (hasZodFastifySchemaValidationErrors(err)) {
    return validationAnswer((err as { validationContext?: string }).validationContext ?? 'request', err.validation);
  }
  if (err instanceof StoreBusyError) {
    const seconds = err.retryAfterSeconds;
    return { ...answer('unavailable', `the database is locked by another process; nothing was written, try again in ${seconds} s`), headers: { 'retry-after': String(seconds) } };
  }
  if (err instanceof OrderhubError && ORDERHUB_ERRORS[err.code].status !== null) {
    // a core code with an HTTP status (not_found, write_back_unsupported, write_back_rule): API_ERRORS has it, same status
    return answer(err.code as Extract<OrderhubErrorCode, ApiErrorCode>, err.message);
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer('payload_too_large', 'the request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer('unsupported_media_type', 'send JSON (Content-Type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return answer('invalid_json', 'the body is empty but Content-Type says JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer('invalid_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return answer('validation_failed', 'Content-Length does not match the body');
    default:
      break;
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return answer('invalid_json', `the body is not valid JSON: ${err.message}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ApiErrorCode = fe.statusCode === 413 ? 'payload_too_large' : fe.statusCode === 404 ? 'not_found' : fe.statusCode === 415 ? 'unsupported_media_type' : 'validation_failed';
    return { statusCode: fe.statusCode, body: errorBody(code, fe.message ?? 'bad request'), internal: false };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode === 503) {
    return answer('unavailable', 'the service is shutting down or not ready');
  }
  return answer('internal', 'internal error; the server log has the details');
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { statusCode, body, headers } = toErrorResponse(err);
  if (headers) void reply.headers(headers);
  return reply.code(statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toErrorResponse(err);
    answerBeforeBody(request.raw); // (a 413 or 415 before the body was read)
    if (mapped.internal) request.log.error({ err }, 'request failed');
    else if (mapped.statusCode >= 400) request.log.debug({ code: mapped.body.error.code }, 'request refused');
    if (mapped.headers) void reply.headers(mapped.headers);
    return reply.code(mapped.statusCode).header('content-type', 'application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a body not complete within the
 * request timeout, an oversized head, malformed HTTP), answered in the envelope too.
 */
export function clientErrorHandler(requestTimeoutMs: number): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // an answer was sent on this connection already (e.g. a 413 whose body is being drained): a
    // second one would corrupt what the client reads
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (isDrainingAnsweredBody(socket) || inFlight?.headersSent) {
      socket.destroy(err);
      return;
    }
    const [status, body] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, errorBody('request_timeout', `the request did not arrive within ${requestTimeoutMs / 1000} s`)]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, errorBody('headers_too_large', 'the request\'s head is larger than the server accepts')]
        : [400, errorBody('validation_failed', 'the request is not valid HTTP')];
    const text = JSON.stringify(body);
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`);
    }
    socket.destroy(err);
  };
}
