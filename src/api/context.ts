/** What every route of the API is handed. */
import type {
  FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { OrderhubConfig } from '../core/config.ts';
import type { ChannelRegistry } from '../core/registry.ts';
import type { StoreHandle } from '../core/store/db.ts';
import type { SyncSummary } from '../core/sync/engine.ts';
import type { WriteBackWorker } from '../outbox/worker.ts';
import type { WebhookDispatcher } from '../webhooks/dispatcher.ts';
import type { Principal } from './store/api-keys.ts';
import type { ApiMetrics } from './metrics.ts';
import type { QueryReader } from './reader.ts';
import type { ResponseCache } from './response-cache.ts';

export interface ApiContext {
  store: StoreHandle;
  config: OrderhubConfig;
  registry: ChannelRegistry;
  logger: Logger;
  metrics: ApiMetrics;
  /** the read path of GET /v1/orders (reader.ts) */
  reader: QueryReader;
  /** answers of GET /v1/orders per data version (absent = no caching) */
  responseCache?: ResponseCache | undefined;
  /** in-process workers to nudge after a write (absent in tests that drive them by hand) */
  dispatcher?: WebhookDispatcher | undefined;
  writeBackWorker?: WriteBackWorker | undefined;
  /** syncs started through the API, by connection */
  syncs: Map<string, Promise<SyncSummary>>;
  /** aborted when the server closes */
  shutdown: AbortSignal;
}

export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route without authentication');
  return request.principal;
}

/** Who the journal and the outbox say asked, for a request made with this key (or its console session). */
export function apiActor(principal: Principal): string {
  return `api:${principal.name}`;
}

export function sendJson(reply: FastifyReply, statusCode: number, body: unknown): FastifyReply {
  return reply.code(statusCode).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}
