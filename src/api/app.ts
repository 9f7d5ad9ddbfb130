/**
 * The REST API (issue #6): `buildApp` makes the Fastify instance (tests use app.inject or listen on
 * port 0); `startApiServer` also runs the webhook dispatcher and the write-back worker in-process
 * and listens — `orderhub serve` and the demo call it.
 *
 * Every /v1 route needs an API key (Authorization: Bearer ohk_…); read keys may only read. Errors use
 * one envelope with stable codes (errors.ts). Bodies are limited (1 MiB by default), validated
 * strictly by the zod schemas that also generate /openapi.json.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { OrderhubConfig } from '../core/config.ts';
import { requestTimeoutOptions } from '../core/http/server-timeouts.ts';
import type { ChannelRegistry } from '../core/registry.ts';
import { LockWait, type StoreHandle } from '../core/store/db.ts';
import { WriteBackWorker, type WriteBackWorkerOptions } from '../outbox/worker.ts';
import { WebhookDispatcher, type DispatcherOptions } from '../webhooks/dispatcher.ts';
import type { ApiContext, ZodApp } from './context.ts';
import { ApiError, clientErrorHandler, installErrorHandlers, sendError } from './errors.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';
import { ApiMetrics } from './metrics.ts';
import { registerConsole } from './console.ts';
import { registerConnectionRoutes } from './routes/connections.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerOrderRoutes } from './routes/orders.ts';
import { authenticateSession, sessionCookieOf } from './session-auth.ts';
import { ApiKeyVerifier } from './store/api-keys.ts';
import { createReader } from './reader.ts';
import { ResponseCache } from './response-cache.ts';

export interface ApiDeps {
  store: StoreHandle;
  config: OrderhubConfig;
  registry: ChannelRegistry;
  logger: Logger;
  /** default 1 MiB */
  bodyLimit?: number;
  /** time to receive a whole request (default 30 s) */
  requestTimeoutMs?: number;
  /**
   * SQLite: how long a request waits for another process's write lock before it answers 503
   * `unavailable` with Retry-After (default 5 s; the store's own work waits its own, longer, time)
   */
  writeLockWaitMs?: number;
  /** API-key verification cache (default 5 s: a revoked key stops working within that) */
  keyCacheMs?: number;
  /** cache GET /v1/orders answers per data version (default true) */
  responseCache?: boolean;
  dispatcher?: WebhookDispatcher | undefined;
  writeBackWorker?: WriteBackWorker | undefined;
  /**
   * What GET /metrics answers, given this process's registry (default: the registry's own text;
   * `serve --processes` answers every worker's metrics aggregated, see cluster.ts)
   */
  metricsSource?: ((own: Registry) => () => Promise<string>) | undefined;
}

export interface BuiltApp {
  app: FastifyInstance;
  context: ApiContext;
}

const VERSION = '0.1.0';
const DEFAULT_WRITE_LOCK_WAIT_MS = 5_000;

export async function buildApp(deps: ApiDeps): Promise<BuiltApp> {
  const shutdown = new AbortController();
  const metrics = new ApiMetrics(deps.store);
  const metricsText = deps.metricsSource ? deps.metricsSource(metrics.registry) : () => metrics.registry.metrics();
  const context: ApiContext = {
    store: deps.store, config: deps.config, registry: deps.registry, logger: deps.logger, metrics, reader: createReader(deps.store),
    responseCache: deps.responseCache === false ? undefined : new ResponseCache(),
    dispatcher: deps.dispatcher, writeBackWorker: deps.writeBackWorker, syncs: new Map(), shutdown: shutdown.signal,
  };
  const requestTimeout = deps.requestTimeoutMs ?? 30_000;
  // (typed as the plain instance: pino's Logger type is narrower than Fastify's base logger type)
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    ...requestTimeoutOptions(requestTimeout),
    clientErrorHandler: clientErrorHandler(requestTimeout),
    // a URL that cannot be decoded is refused before routing: in the envelope too
    frameworkErrors: (error, _request, reply) => sendError(reply, error),
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 300 },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; answers are serialised as they are (no second validation).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(app);
  // Bodies are JSON (docs/api.md: anything else is 415); Fastify's own text/plain parser made a
  // text/plain body a string, refused later as 400. Scopes that take other types add their parsers.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', null);
  // Every handler's writes wait at most writeLockWaitMs for the lock (then 503); what a request
  // leaves running after its answer (a background sync) waits as the store does.
  const lockWaitMs = deps.writeLockWaitMs ?? DEFAULT_WRITE_LOCK_WAIT_MS;
  app.addHook('preHandler', (_request, reply, done) => {
    const wait = new LockWait(lockWaitMs);
    reply.raw.once('close', () => wait.end());
    wait.run(done);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'orderhub API',
        version: VERSION,
        description: 'Orders from every channel in one canonical shape; change feed, signed webhooks and write-back. See docs/api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key from `orderhub apikey create`' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'orders' }, { name: 'write-back' }, { name: 'events' }, { name: 'webhooks' }, { name: 'connections' }, { name: 'system' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // ---- authentication and scopes (every /v1 route)
  const verifier = new ApiKeyVerifier(deps.store.db, deps.keyCacheMs);
  app.addHook('onRequest', async (request, reply) => {
    // decided on the matched route, not the raw URL (percent-encoding cannot dodge it)
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/v1/') || request.routeOptions.config.publicRoute) return;
    const header = request.headers.authorization;
    const session = header === undefined ? sessionCookieOf(request) : undefined; // the console's (session-auth.ts)
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m && session === undefined) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, new ApiError(401, 'unauthorized', 'send an API key: Authorization: Bearer <key>'));
    }
    const principal = session !== undefined ? await authenticateSession(deps.store.db, request, session) : await verifier.verify(m![1]!);
    if (principal instanceof ApiError) return sendError(reply, principal);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return sendError(reply, new ApiError(401, 'unauthorized', 'the API key is unknown or revoked'));
    }
    request.principal = principal;
    const writes = request.method !== 'GET' && request.method !== 'HEAD';
    const needsWrite = (writes && !request.routeOptions.config.readScope) || route.startsWith('/v1/webhooks');
    if (needsWrite && principal.scope !== 'write') {
      return sendError(reply, new ApiError(403, 'forbidden', 'this API key is read-only; this request needs a key with scope "write"'));
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const zapp = app.withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
  registerOrderRoutes(zapp, context);
  registerEventRoutes(zapp, context);
  registerConnectionRoutes(zapp, context);
  await registerConsole(zapp, context, verifier);

  // ---- system routes (no key)
  app.get('/healthz', { schema: { tags: ['system'], summary: 'The process is up', security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['system'], summary: 'The database answers', security: [] } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.store.db);
      return { status: 'ready' };
    } catch {
      return sendError(reply.code(503), new ApiError(503, 'unavailable', 'the database does not answer'));
    }
  });
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', security: [] } }, async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metricsText()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // ---- inbound APIs of push channels (e.g. Alza's Dropshipment supplier API), each in its own scope
  for (const channel of deps.registry.all()) {
    const connections = deps.config.connections.filter((c) => c.kind === channel.kind && c.enabled);
    if (!channel.push || connections.length === 0) continue;
    const push = channel.push;
    await app.register(async (scope) => push.register(scope, { store: deps.store, connections, logger: deps.logger }));
  }

  app.addHook('onClose', async () => {
    shutdown.abort(new Error('server closing'));
    await Promise.allSettled([...context.syncs.values()]);
    context.reader.close();
  });
  await app.ready();
  return { app, context };
}

export interface StartApiOptions {
  store: StoreHandle;
  config: OrderhubConfig;
  registry: ChannelRegistry;
  logger: Logger;
  /** default: config.server.host / port */
  host?: string | undefined;
  port?: number | undefined;
  /** run the webhook dispatcher and write-back worker in this process (default true) */
  workers?: boolean;
  webhooks?: Partial<Omit<DispatcherOptions, 'store' | 'logger'>>;
  writeBacks?: Partial<Omit<WriteBackWorkerOptions, 'store' | 'logger' | 'registry' | 'connections'>>;
  bodyLimit?: number;
  requestTimeoutMs?: number;
  writeLockWaitMs?: number;
  /** default: config.server.responseCache */
  responseCache?: boolean;
  metricsSource?: ApiDeps['metricsSource'];
}

export interface RunningApiServer {
  url: string;
  app: FastifyInstance;
  dispatcher: WebhookDispatcher | null;
  writeBackWorker: WriteBackWorker | null;
  close(): Promise<void>;
}

export async function startApiServer(options: StartApiOptions): Promise<RunningApiServer> {
  const { store, config, registry, logger } = options;
  const workers = options.workers !== false;
  let metricsRef: ApiMetrics | null = null;
  const dispatcher = workers
    ? new WebhookDispatcher({ store, logger, allowPrivateTargets: config.webhooks.allowPrivateTargets, ...options.webhooks, onResult: (r) => { metricsRef?.observeDeliveries(r); options.webhooks?.onResult?.(r); } })
    : null;
  const writeBackWorker = workers
    ? new WriteBackWorker({ store, logger, registry, connections: config.connections, ...options.writeBacks, onOutcome: (s) => metricsRef?.writeBackOutcomes.inc({ outcome: s }) })
    : null;
  const { app, context } = await buildApp({
    store, config, registry, logger, dispatcher: dispatcher ?? undefined, writeBackWorker: writeBackWorker ?? undefined, bodyLimit: options.bodyLimit,
    writeLockWaitMs: options.writeLockWaitMs, requestTimeoutMs: options.requestTimeoutMs,
    responseCache: options.responseCache ?? config.server.responseCache,
    metricsSource: options.metricsSource,
  });
  metricsRef = context.metrics;
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  dispatcher?.start();
  writeBackWorker?.start();
  const prune = setInterval(() => {
    pruneIdempotencyKeys(store.db).catch((err: unknown) => logger.warn({ err }, 'pruning idempotency keys failed'));
  }, 3_600_000);
  prune.unref();
  let closed = false;
  return {
    url,
    app,
    dispatcher,
    writeBackWorker,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(prune);
      await app.close();
      await Promise.all([dispatcher?.stop(), writeBackWorker?.stop()]);
      await sleep(0);
    },
  };
}
