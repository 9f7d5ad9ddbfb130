/**
 * The API's one error envelope, `{ error: { code, message, details? } }`, with stable codes, and the
 * Fastify error/404 handlers that map every failure onto it. A client's mistake is always a 4xx with
 * a clear code; only our own faults are 500 `internal`, and those never carry a stack or a secret.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { NotFoundError, OrderhubError, WriteBackRuleError } from '../core/errors.ts';

export type ApiErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'validation_failed'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'idempotency_conflict'
  | 'idempotency_in_progress'
  | 'write_back_unsupported'
  | 'write_back_rule'
  | 'sync_in_progress'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
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

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Maps any thrown value to (status, envelope). */
export function toErrorResponse(err: unknown): { statusCode: number; body: ErrorBody; internal: boolean } {
  if (err instanceof ApiError) return { statusCode: err.statusCode, body: err.body(), internal: false };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'request';
    const issues = err.validation.map((v) => ({
      in: where,
      path: String(v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.'),
      message: v.message ?? 'invalid',
    }));
    const first = issues[0];
    return {
      statusCode: 400,
      body: errorBody('validation_failed', first ? `invalid ${where}${first.path ? ` at ${first.path}` : ''}: ${first.message}` : `invalid ${where}`, { issues }),
      internal: false,
    };
  }
  if (err instanceof WriteBackRuleError) return { statusCode: 422, body: errorBody('write_back_rule', err.message), internal: false };
  if (err instanceof NotFoundError) return { statusCode: 404, body: errorBody('not_found', err.message), internal: false };
  if (err instanceof OrderhubError && err.code === 'write_back_unsupported') {
    return { statusCode: 422, body: errorBody('write_back_unsupported', err.message), internal: false };
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { statusCode: 413, body: errorBody('payload_too_large', 'the request body is larger than the server accepts'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 415, body: errorBody('unsupported_media_type', 'send JSON (Content-Type: application/json)'), internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { statusCode: 400, body: errorBody('invalid_json', 'the body is empty but Content-Type says JSON'), internal: false };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { statusCode: 400, body: errorBody('invalid_json', 'the body is not valid JSON'), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { statusCode: 400, body: errorBody('validation_failed', 'Content-Length does not match the body'), internal: false };
    default:
      break;
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return { statusCode: 400, body: errorBody('invalid_json', `the body is not valid JSON: ${err.message}`), internal: false };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code: ApiErrorCode = fe.statusCode === 413 ? 'payload_too_large' : fe.statusCode === 404 ? 'not_found' : fe.statusCode === 415 ? 'unsupported_media_type' : 'validation_failed';
    return { statusCode: fe.statusCode, body: errorBody(code, fe.message ?? 'bad request'), internal: false };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode === 503) {
    return { statusCode: 503, body: errorBody('unavailable', 'the service is shutting down or not ready'), internal: false };
  }
  return { statusCode: 500, body: errorBody('internal', 'internal error; the server log has the details'), internal: true };
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { statusCode, body } = toErrorResponse(err);
  return reply.code(statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toErrorResponse(err);
    if (mapped.internal) request.log.error({ err }, 'request failed');
    else if (mapped.statusCode >= 400) request.log.debug({ code: mapped.body.error.code }, 'request refused');
    return reply.code(mapped.statusCode).header('content-type', 'application/json; charset=utf-8').send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
