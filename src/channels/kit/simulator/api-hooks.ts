/**
 * The hooks in front of a simulated API: every API request is counted (by endpoint and by the
 * status answered) and takes its turn in the fault cycle before the channel's own checks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultTurn } from './faults.ts';

/** The counters every simulator keeps of its API (channels add their own). */
export interface RequestCounters {
  /** every API request (faulted ones included; /__sim control requests are not API requests) */
  total: number;
  /** "GET /api/order/:id" … (the route, or the path where no route matched) */
  byEndpoint: Record<string, number>;
  /** answers per HTTP status */
  byStatus: Record<string, number>;
}

export function emptyRequestCounters(): RequestCounters {
  return { total: 0, byEndpoint: {}, byStatus: {} };
}

export interface ApiGuard {
  /** which requests are API requests (the URL with its query) */
  isApi(url: string): boolean;
  counters: RequestCounters;
  /** the fault cycle (FaultKnobs) */
  faults: { turn(request: object): Promise<FaultTurn> };
  /**
   * The channel's answer to a request's fault turn, then its own checks (auth): a reply it sent, or
   * undefined to let the request through to its route. Runs after the request is counted.
   */
  screen(turn: FaultTurn, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> | FastifyReply | undefined;
}

/** A fault's answer: `status` with `body` as `contentType`, and Retry-After when given (a 429). */
export function answerFault(reply: FastifyReply, status: number, contentType: string, body: unknown, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).header('content-type', contentType).send(body);
}

/** Counts API requests, gives each its fault turn and lets the channel answer it. */
export function guardApi(app: FastifyInstance, guard: ApiGuard): void {
  const { counters } = guard;
  app.addHook('onRequest', async (request, reply) => {
    if (!guard.isApi(request.url)) return undefined;
    counters.total++;
    const key = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    counters.byEndpoint[key] = (counters.byEndpoint[key] ?? 0) + 1;
    return guard.screen(await guard.faults.turn(request), request, reply);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!guard.isApi(request.url)) return;
    const status = String(reply.statusCode);
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  });
}
