/**
 * POST /v1/orders/bulk/status: one status write-back for every order matching a filter, through the
 * outbox (outbox/bulk.ts: bounded, keyset-paged, idempotent; a dry run says what it would do), and
 * GET /v1/orders/bulk/{bulkId}: how its write-backs fared.
 */
import { z } from 'zod';
import { BULK_MAX_ORDERS, BulkRequestError, planBulkStatus, runBulkStatus, type BulkPlan } from '../../outbox/bulk.ts';
import { bulkProblems, bulkStates, toWriteBackInfo } from '../../outbox/store.ts';
import { ApiError } from '../errors.ts';
import { idempotent } from '../idempotency.ts';
import { errorSchema, idempotencyHeaders, orderFilterShape, statusBody, writeBackSchema } from '../schemas.ts';
import { apiActor, principalOf, sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { toFilter } from './order-filter.ts';

const bulkStatusBody = z
  .object({
    filter: z.object(orderFilterShape).strict().describe('the filters of GET /v1/orders, by the same names and syntax (comma lists); at least one'),
    status: statusBody.shape.status,
    dryRun: z.boolean().default(false).describe('true: change nothing, say what would be done'),
    maxOrders: z.number().int().min(1).max(BULK_MAX_ORDERS).optional()
      .describe(`refuse (400) when more orders than this match; default and most: ${BULK_MAX_ORDERS}`),
  })
  .strict();

const skipsSchema = z.object({
  alreadyInStatus: z.number().int().describe('the order has that status already'),
  pending: z.number().int().describe('a write-back setting the same status is still waiting to be delivered'),
  unsupported: z.number().int().describe("the order's channel cannot take the status (see problem)"),
});

const bulkSummarySchema = z.object({
  dryRun: z.boolean(),
  bulkId: z.string().nullable().describe('the queued write-backs\' bulkId (null for a dry run, or when none was queued)'),
  status: z.string(),
  matched: z.number().int(),
  queued: z.number().int().describe('write-backs queued (a dry run: that would be)'),
  skipped: skipsSchema,
  byConnection: z.array(z.object({
    connection: z.string(),
    channel: z.string(),
    matched: z.number().int(),
    channelStatus: z.string().nullable().describe('the channel status set; null when the channel cannot take it'),
    queued: z.number().int(),
    skipped: skipsSchema,
    problem: z.string().nullable().describe('why the channel cannot take the status'),
  })),
});

const STATES = ['accepted', 'delivered', 'refused', 'failed'] as const;
const stateCounts = z.object(Object.fromEntries(STATES.map((s) => [s, z.number().int()])) as Record<(typeof STATES)[number], z.ZodNumber>);

const bulkStateSchema = z.object({
  bulkId: z.string(),
  states: stateCounts,
  byConnection: z.array(z.object({ connection: z.string(), states: stateCounts })),
  problems: z.array(writeBackSchema).describe('refused and failed write-backs, oldest first (at most 100)'),
});

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema };

const zeroStates = () => Object.fromEntries(STATES.map((s) => [s, 0])) as Record<(typeof STATES)[number], number>;

/** A bulk request that cannot run as asked is the client's to change: 400 with the counts in details. */
function asApiError(err: unknown): unknown {
  return err instanceof BulkRequestError ? new ApiError(400, 'validation_failed', err.message, err.details) : err;
}

export function registerBulkStatusRoutes(app: ZodApp, ctx: ApiContext): void {
  const { store } = ctx;
  const env = { store, registry: ctx.registry, connections: ctx.config.connections, logger: ctx.logger };

  app.post('/v1/orders/bulk/status', {
    schema: {
      tags: ['write-back'],
      summary: 'Change the status of every order matching a filter (one write-back per order)',
      description:
        `Queues one status write-back per matching order (at most ${BULK_MAX_ORDERS} per request), the status mapped to each ` +
        "order's channel, skipping orders that have it already or a pending write-back to it, and reporting those whose " +
        'channel cannot take it. dryRun: true says the same without queuing. 202 (200 for a dry run); takes an Idempotency-Key ' +
        '(a dry run stores none); re-sending the request queues nothing twice either way.',
      headers: idempotencyHeaders,
      body: bulkStatusBody,
      response: { 200: bulkSummarySchema, 202: bulkSummarySchema, ...errors },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body;
    const who = { actor: apiActor(principal), apiKeyId: principal.keyId };
    const plan = async (): Promise<BulkPlan> => {
      const filter = await toFilter(ctx, body.filter);
      return planBulkStatus(env, { filter, status: body.status, maxOrders: body.maxOrders, dryRun: body.dryRun }).catch((err: unknown) => {
        throw asApiError(err);
      });
    };
    if (body.dryRun) {
      const summary = await runBulkStatus(store.db, await plan(), who).catch((err: unknown) => {
        throw asApiError(err);
      });
      return sendJson(reply, 200, summary);
    }
    const key = request.headers['idempotency-key'];
    const res = await idempotent(
      { store, apiKeyId: principal.keyId, key: typeof key === 'string' ? key : undefined, method: 'POST', path: '/v1/orders/bulk/status', body },
      plan,
      async (trx, prepared) => {
        const summary = await runBulkStatus(trx, prepared, who).catch((err: unknown) => {
          throw asApiError(err);
        });
        return { statusCode: 202, body: summary };
      },
    );
    if (res.replayed) reply.header('idempotent-replayed', 'true');
    else ctx.writeBackWorker?.wake();
    const bulkId = (res.body as { bulkId?: unknown }).bulkId;
    if (typeof bulkId === 'string') reply.header('location', `/v1/orders/bulk/${bulkId}`);
    return sendJson(reply, res.statusCode, res.body);
  });

  app.get('/v1/orders/bulk/:bulkId', {
    schema: {
      tags: ['write-back'],
      summary: "A bulk status change's write-backs: how many are in each state, and those refused or failed",
      params: z.object({ bulkId: z.string().min(1).max(100) }).strict(),
      response: { 200: bulkStateSchema, ...errors },
    },
  }, async (request, reply) => {
    const { bulkId } = request.params;
    const rows = await bulkStates(store.db, bulkId);
    if (rows.length === 0) throw new ApiError(404, 'not_found', `no bulk request ${bulkId}`);
    const states = zeroStates();
    const byConnection = new Map<string, ReturnType<typeof zeroStates>>();
    for (const r of rows) {
      states[r.state] += r.n;
      let c = byConnection.get(r.connection);
      if (!c) byConnection.set(r.connection, (c = zeroStates()));
      c[r.state] += r.n;
    }
    const problems = (await bulkProblems(store.db, bulkId, 100)).map(toWriteBackInfo);
    return sendJson(reply, 200, { bulkId, states, byConnection: [...byConnection].map(([connection, s]) => ({ connection, states: s })), problems });
  });
}
