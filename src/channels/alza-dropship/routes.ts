/**
 * The Supplier API that Alza calls, as a Fastify plugin (mounted by `orderhub serve`) and as a small
 * standalone server (tests, benchmark, `npm start` until serve mounts it):
 *
 *   POST   {prefix}/order/{order}?token=          Insert order   (201 + 0 | 200 + -3 | 400 + -2/-4)
 *   DELETE {prefix}/order/{order}?token=  + body   Cancel order   (200 + 0 | 200 + -5 | 400 + -2)
 *   POST   {prefix}/order/{order}/confirm?token=  Confirm order  (200 + 0 | 400 + -2/-3/-5)
 *   POST   {prefix}/order/{order}/extend?token=   Extend order   (200 + 0 | 200 + -5 | 400 + -2)
 *
 * JSON in → JSON out (errorCode as a number); XML in → XML out (errorCode as K2's enum name).
 * A request is routed to the connection whose customerId is in its body and must carry that
 * connection's HMAC token; anything unauthenticated is answered 401 without any effect. The token is
 * a credential in the URL: every log line of this plugin shows `token=[redacted]`.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { StoreBusyError } from '../../core/errors.ts';
import { redactUrl } from '../../core/log.ts';
import { listenLocal } from '../../core/http/listen.ts';
import { requestTimeoutOptions } from '../../core/http/server-timeouts.ts';
import { answerBeforeBody } from '../../core/http/unread-body.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import type { AlzaDropshipConfig } from './config.ts';
import { rawPath, rawTokenFromUrl, signatureMessage, verifyToken } from './hmac.ts';
import { JsonBodyError, parseJsonBody } from './json.ts';
import { UNCHECKED_TOKEN_MEMORY_MINUTES, useToken } from './replay.ts';
import { ERROR_CODES, errorCodeName, parseTimestamp, type ErrorCode } from './protocol.ts';
import {
  cancelRequestSchema, confirmRequestSchema, answerIssues, extendRequestSchema, insertRequestSchema,
} from './schemas.ts';
import { startCheckpointer } from './checkpointer.ts';
import { DropshipProjections, type ProjectionMode } from './projection.ts';
import { cancelOrder, confirmOrder, extendOrder, insertOrder, type AnswerBody, type SupplierAnswer, type SupplierContext } from './supplier.ts';
import { DropshipWorker, type WorkerOptions } from './worker.ts';
import { parseXmlBody, writeXml, XmlBodyError, type XmlElement } from './xml.ts';

export const DEFAULT_PREFIX = '/dropship/alza/v1';
export const DEFAULT_BODY_LIMIT = 1_048_576;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface DropshipRoutesOptions {
  store: StoreHandle;
  connections: readonly AlzaDropshipConfig[];
  logger: Logger;
  /** where the Supplier API is served; default /dropship/alza/v1 */
  prefix?: string;
  now?: () => Date;
  /** largest body accepted (bytes); default 1 MiB. Larger ones are answered 413. */
  bodyLimit?: number;
  /** ms between background rounds (expiry, projections, availability, outbox); 0 = none. Default 5000 */
  sweepIntervalMs?: number;
  /**
   * 'batched' (default): answer Alza once the reservation is committed and store the canonical orders
   * right after, several per transaction; 'sync': store each before answering. See projection.ts.
   */
  projection?: ProjectionMode;
  /**
   * The store's projections in this process, shared with everything else that changes its dropship
   * orders (the plugin's worker, the /v1 routes); made here when not given.
   */
  projections?: DropshipProjections;
  /**
   * SQLite: run WAL checkpoints from a worker thread instead of inside commits on the event loop
   * (checkpointer.ts). Default false in the plugin (the host owns the store); the standalone server
   * turns it on. Recommended for `orderhub serve` on SQLite.
   */
  checkpointer?: boolean;
  /** passed to the background worker (e.g. ready Buyer API clients, or deliver: false) */
  worker?: Pick<WorkerOptions, 'clients' | 'deliver'>;
}

type Operation = 'insert' | 'cancel' | 'confirm' | 'extend';

interface ParsedBody {
  format: 'json' | 'xml';
  value: unknown;
}

const ORDER_RE = /^[A-Za-z0-9_-]{1,30}$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

/** K2's XML answer element per operation (InsertOrderResponse is on K2's help page; the others follow its naming). */
const XML_ROOT: Record<Operation, string> = {
  insert: 'InsertOrderResponse',
  cancel: 'CancelOrderResponse',
  confirm: 'ConfirmOrderResponse',
  extend: 'ExtendOrderResponse',
};

class BadBodyError extends Error {
  readonly statusCode = 400;
}

function isXmlType(contentType: string | undefined): boolean {
  return /\bxml\b/i.test(contentType ?? '');
}

function answer(status: number, errorCode: ErrorCode, errorMessage: string): SupplierAnswer {
  return { status, body: { errorCode, errorMessage } };
}

/** The answer as JSON: errorCode as a number [DOC]. */
export function answerJson(body: AnswerBody): string {
  return JSON.stringify({
    errorCode: body.errorCode,
    errorMessage: body.errorMessage,
    ...(body.errorProducts ? { errorProducts: body.errorProducts } : {}),
    ...(body.supplierOrder !== undefined ? { supplierOrder: body.supplierOrder } : {}),
    ...(body.validUntil !== undefined ? { validUntil: body.validUntil } : {}),
  });
}

/** The answer as K2's XML: errorCode as the enum name, elements in the data contract's order. */
export function answerXml(op: Operation, body: AnswerBody): string {
  const el: XmlElement = { errorCode: errorCodeName(body.errorCode), errorMessage: body.errorMessage };
  if (body.errorProducts) {
    el.errorProducts = {
      item: 'InsertOrderResponseErrorProduct',
      values: body.errorProducts.map((p) => ({ code: p.code, limited: p.limited, quantity: p.quantity })),
    };
  }
  if (body.supplierOrder !== undefined) el.supplierOrder = body.supplierOrder;
  if (body.validUntil !== undefined) el.validUntil = body.validUntil;
  return writeXml(XML_ROOT[op], el);
}

/** Request log lines without the token (Fastify's default serializer prints the whole URL). */
function redactedRequest(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
}

function customerIdOf(value: unknown): number | null {
  const v = (value as { customerId?: unknown } | null)?.customerId;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,10}$/.test(v.trim())) return Number(v.trim());
  return null;
}

type AuthResult =
  | { ok: true; config: AlzaDropshipConfig; token: string; /** until when the token's timestamp is accepted */ validUntil: Date }
  | { ok: false; message: string; connection?: string };

/**
 * Finds the connection by the body's customerId and checks the token over
 * "{customerId}+{METHOD}+{api}{resource}+{timestamp}" with `api` = the path the request came in on
 * (or the connection's apiPath) and `resource` = /order/{order}[/confirm|/extend].
 */
function authenticate(
  op: Operation,
  request: FastifyRequest,
  value: unknown,
  byCustomer: ReadonlyMap<number, AlzaDropshipConfig>,
  now: Date,
): AuthResult {
  const customerId = customerIdOf(value);
  if (customerId === null) return { ok: false, message: 'customerId is required (it says whose token this is)' };
  const config = byCustomer.get(customerId);
  if (!config) return { ok: false, message: `Unknown customerId ${customerId}` };
  const timestamp = (value as { timestamp?: unknown }).timestamp;
  if (typeof timestamp !== 'string' || timestamp.trim() === '') return { ok: false, message: 'timestamp is required (it is signed by the token)', connection: config.name };
  const raw = request.raw.url ?? request.url;
  const token = rawTokenFromUrl(raw);
  if (token === null) return { ok: false, message: 'Missing token', connection: config.name };
  const segments = rawPath(raw).split('/');
  const resourceParts = op === 'insert' || op === 'cancel' ? 2 : 3;
  const resource = `/${segments.slice(-resourceParts).join('/')}`;
  const api = config.apiPath ?? segments.slice(0, -resourceParts).join('/');
  const message = signatureMessage({ client: customerId, method: request.method, path: `${api}${resource}`, timestamp });
  if (!verifyToken(config.secret, message, token)) return { ok: false, message: 'Invalid token', connection: config.name };
  if (config.timestampToleranceMinutes === 0) {
    return { ok: true, config, token, validUntil: new Date(now.getTime() + UNCHECKED_TOKEN_MEMORY_MINUTES * 60_000) };
  }
  let at: number;
  try {
    at = Date.parse(parseTimestamp(timestamp, config.timeZone));
  } catch {
    return { ok: false, message: `timestamp "${timestamp}" is not a Timestamp (YYYY-MM-DDThh:mm:ss.nnn)`, connection: config.name };
  }
  const tolerance = config.timestampToleranceMinutes * 60_000;
  if (Math.abs(now.getTime() - at) > tolerance) {
    return { ok: false, message: `timestamp ${timestamp} is more than ${config.timestampToleranceMinutes} minutes from our clock`, connection: config.name };
  }
  return { ok: true, config, token, validUntil: new Date(at + tolerance) };
}

/**
 * Registers the Supplier API under `prefix` in its own encapsulated context (own body parsers, error
 * handler and log serializers; nothing leaks into the host app). Also starts the background worker,
 * stopped when the app closes. Returns what `app.register` returns (awaitable).
 */
/** Any Fastify app, whatever its logger and type provider (the API server uses its own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export function registerAlzaDropshipRoutes(app: AnyFastify, deps: DropshipRoutesOptions): FastifyInstance {
  const prefix = (deps.prefix ?? DEFAULT_PREFIX).replace(/\/+$/, '');
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ channel: 'alza-dropship' });
  const projections = deps.projections ?? new DropshipProjections(deps.store);
  const byCustomer = new Map<number, AlzaDropshipConfig>();
  for (const c of deps.connections) {
    const other = byCustomer.get(c.customerId);
    if (other) throw new Error(`alza-dropship connections ${other.name} and ${c.name} have the same customerId ${c.customerId}; requests could not be told apart`);
    byCustomer.set(c.customerId, c);
  }

  const plugin = async (scope: FastifyInstance): Promise<void> => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
      try {
        done(null, { format: 'json', value: parseJsonBody(body as string) } satisfies ParsedBody);
      } catch (err) {
        done(new BadBodyError(err instanceof JsonBodyError ? err.message : 'the body is not valid JSON'), undefined);
      }
    });
    scope.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit }, (_req, body, done) => {
      try {
        done(null, { format: 'xml', value: parseXmlBody(body as string).value } satisfies ParsedBody);
      } catch (err) {
        done(new BadBodyError(err instanceof XmlBodyError ? err.message : 'the body is not valid XML'), undefined);
      }
    });

    const send = (reply: FastifyReply, op: Operation, xml: boolean, a: SupplierAnswer) =>
      reply.code(a.status).type(xml ? XML_TYPE : JSON_TYPE).send(xml ? answerXml(op, a.body) : answerJson(a.body));

    const opOf = (request: FastifyRequest): Operation => {
      const path = rawPath(request.raw.url ?? request.url);
      if (path.endsWith('/confirm')) return 'confirm';
      if (path.endsWith('/extend')) return 'extend';
      return request.method === 'DELETE' ? 'cancel' : 'insert';
    };

    scope.setErrorHandler((err: FastifyError, request, reply) => {
      const xml = isXmlType(request.headers['content-type']);
      const op = opOf(request);
      answerBeforeBody(request.raw); // (a 413 or 415 before the body was read: Alza reads the answer)
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return send(reply, op, xml, answer(413, ERROR_CODES.InvalidInput, `The body is larger than ${bodyLimit} bytes`));
      }
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return send(reply, op, xml, answer(415, ERROR_CODES.InvalidInput, 'Send the body as application/json (or application/xml)'));
      }
      if (err instanceof BadBodyError || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
        return send(reply, op, xml, answer(400, ERROR_CODES.InvalidInput, err.message));
      }
      if ((err as unknown) instanceof StoreBusyError) {
        // another process holds the store's write lock: nothing was done, Alza resends
        const seconds = (err as unknown as StoreBusyError).retryAfterSeconds;
        log.warn({ op, url: redactUrl(request.url) }, 'alza-dropship request answered 503: the store is locked by another process');
        void reply.header('retry-after', String(seconds));
        return send(reply, op, xml, answer(503, ERROR_CODES.GenericError, `The service is busy; please resend in ${seconds} s`));
      }
      log.error({ err: err.message, op, url: redactUrl(request.url) }, 'alza-dropship request failed');
      return send(reply, op, xml, answer(500, ERROR_CODES.GenericError, 'Internal error; please resend'));
    });
    scope.setNotFoundHandler((request, reply) => {
      void reply.code(404).type(JSON_TYPE).send(answerJson({ errorCode: ERROR_CODES.InvalidInput, errorMessage: `No such operation: ${request.method} ${redactUrl(request.url).split('?')[0]}` }));
    });

    const handle = (op: Operation) => async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = request.body as ParsedBody | undefined;
      const xml = parsed ? parsed.format === 'xml' : isXmlType(request.headers['content-type']);
      if (!parsed) return send(reply, op, xml, answer(400, ERROR_CODES.InvalidInput, 'The request has no body'));
      const orderNumber = (request.params as { order: string }).order;
      if (!ORDER_RE.test(orderNumber)) {
        return send(reply, op, xml, answer(400, ERROR_CODES.InvalidInput, 'The order number must be 1–30 letters, digits, - or _'));
      }
      if (!parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
        return send(reply, op, xml, answer(400, ERROR_CODES.InvalidInput, 'The body must be an object'));
      }
      const at = now();
      const auth = authenticate(op, request, parsed.value, byCustomer, at);
      if (!auth.ok) {
        log.warn({ op, order: orderNumber, connection: auth.connection, reason: auth.message }, 'alza-dropship request refused (authentication)');
        return send(reply, op, xml, answer(401, ERROR_CODES.GenericError, auth.message));
      }
      if ((await useToken(deps.store, auth.config.name, auth.token, parsed.value, auth.validUntil)) === 'other-body') {
        log.warn({ op, order: orderNumber, connection: auth.config.name }, 'alza-dropship request refused (a token used before with another body)');
        return send(reply, op, xml, answer(401, ERROR_CODES.GenericError, 'Token already used with another body'));
      }
      const ctx: SupplierContext = {
        store: deps.store, projections, config: auth.config, now: at, logger: log.child({ connection: auth.config.name }), projection: deps.projection ?? 'batched',
      };
      let result: SupplierAnswer;
      switch (op) {
        case 'insert': {
          const v = insertRequestSchema.safeParse(parsed.value);
          result = v.success ? await insertOrder(ctx, orderNumber, v.data) : answer(400, ERROR_CODES.InvalidInput, answerIssues(v.error));
          break;
        }
        case 'confirm': {
          const v = confirmRequestSchema.safeParse(parsed.value);
          result = v.success ? await confirmOrder(ctx, orderNumber, v.data) : answer(400, ERROR_CODES.InvalidInput, answerIssues(v.error));
          break;
        }
        case 'cancel': {
          const v = cancelRequestSchema.safeParse(parsed.value);
          result = v.success ? await cancelOrder(ctx, orderNumber, v.data) : answer(400, ERROR_CODES.InvalidInput, answerIssues(v.error));
          break;
        }
        case 'extend': {
          const v = extendRequestSchema.safeParse(parsed.value);
          result = v.success ? await extendOrder(ctx, orderNumber, v.data) : answer(400, ERROR_CODES.InvalidInput, answerIssues(v.error));
          break;
        }
      }
      if (result.body.errorCode !== ERROR_CODES.Success) {
        ctx.logger?.info({ op, order: orderNumber, status: result.status, errorCode: result.body.errorCode, message: result.body.errorMessage }, 'alza-dropship request answered with an error code');
      }
      return send(reply, op, xml, result);
    };

    const routeOptions = { bodyLimit };
    scope.post('/order/:order', routeOptions, handle('insert'));
    scope.delete('/order/:order', routeOptions, handle('cancel'));
    scope.post('/order/:order/confirm', routeOptions, handle('confirm'));
    scope.post('/order/:order/extend', routeOptions, handle('extend'));

    const checkpointer = deps.checkpointer ? startCheckpointer(deps.store) : null;
    // what was answered is also stored before the server stops
    scope.addHook('onClose', async () => {
      await projections.flush();
      await checkpointer?.stop();
    });

    const interval = deps.sweepIntervalMs ?? 5_000;
    if (interval > 0 && deps.connections.length > 0) {
      const worker = new DropshipWorker({ store: deps.store, projections, connections: deps.connections, logger: log, now, ...deps.worker });
      const timer = setInterval(() => void worker.tick(), interval);
      timer.unref();
      scope.addHook('onClose', async () => {
        clearInterval(timer);
        await worker.close();
      });
    }
  };

    // (Fastify types serializers as returning strings; pino takes any value)
  const logSerializers = { req: redactedRequest } as unknown as Record<string, (value: unknown) => string>;
  return (app as FastifyInstance).register(plugin, { prefix, logSerializers }) as unknown as FastifyInstance;
}

export interface DropshipServer {
  app: FastifyInstance;
  /** http://host:port */
  url: string;
  /** url + prefix: the Supplier API base Alza is given */
  supplierApiUrl: string;
  port: number;
  /** the projections the server stores its canonical orders with (`flush()` waits for them) */
  projections: DropshipProjections;
  close(): Promise<void>;
}

/** A standalone server with only the Supplier API (tests, benchmark, `npm start` before serve mounts it). */
export async function startDropshipServer(
  options: DropshipRoutesOptions & { host?: string; port?: number; /** time to receive a whole request; default 30 s */ requestTimeoutMs?: number },
): Promise<DropshipServer> {
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyInstance['log'],
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // as `orderhub serve` answers a body that does not arrive in time (mounted, its timeouts apply)
    ...requestTimeoutOptions(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    // Fastify's request lines stay on: they go through the plugin's redacting `req` serializer
  });
  // Requests that match no route are logged with the root's serializers: redact there too.
  app.setChildLoggerFactory((logger, bindings, opts) =>
    logger.child(bindings, { ...opts, serializers: { ...opts.serializers, req: redactedRequest as never } }));
  const projections = options.projections ?? new DropshipProjections(options.store);
  registerAlzaDropshipRoutes(app, { ...options, projections, checkpointer: options.checkpointer ?? true });
  const { port, baseUrl: url } = await listenLocal(app, options.host, options.port ?? 0);
  return {
    app,
    url,
    supplierApiUrl: `${url}${(options.prefix ?? DEFAULT_PREFIX).replace(/\/+$/, '')}`,
    port,
    projections,
    close: () => app.close(),
  };
}
