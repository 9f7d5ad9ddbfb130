/** /v1/failures: records a sync quarantined (could not be mapped), with their reason and raw payload; retry and dismiss. */
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { refetchRecord } from '../refetch.ts';
import { errorSchema, queryInt, splitList } from '../schemas.ts';
import { apiActor, principalOf, sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { rejectUnknownNames } from './known-names.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

const failuresQuery = z
  .object({
    connection: z.string().optional().describe('one or several connections, separated by commas'),
    limit: queryInt(1, 500).default(50),
    before: queryInt(1).optional().describe('the `next` of the previous page'),
  })
  .strict();

const failureIdParams = z.object({ id: queryInt(1) }).strict();

export const failureSchema = z.object({
  id: z.number(),
  runId: z.number().nullable(),
  connection: z.string(),
  externalId: z.string().nullable(),
  at: z.string(),
  error: z.string(),
  payload: z.unknown().describe('the raw record exactly as the channel sent it'),
});

const retrySchema = z.object({
  outcome: z.enum(['stored', 'failed']),
  source: z.enum(['channel', 'stored']).describe('channel: read again by its id; stored: the quarantined record mapped again'),
  orderId: z.string().nullable(),
  failure: failureSchema.nullable().describe('when it failed again: the new quarantine entry'),
});

type FailureRow = { id: number; run_id: number | null; connection: string; external_id: string | null; at: string; error: string; payload: string };

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toFailureInfo(r: FailureRow) {
  return { id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), connection: r.connection, externalId: r.external_id, at: r.at, error: r.error, payload: parsePayload(r.payload) };
}

export function registerFailureRoutes(app: ZodApp, ctx: ApiContext): void {
  const { db } = ctx.store;

  app.get('/v1/failures', {
    schema: {
      tags: ['failures'],
      summary: 'Quarantined records, newest first: the reason and the raw payload',
      querystring: failuresQuery,
      response: { 200: z.object({ data: z.array(failureSchema), next: z.number().nullable() }), ...errors },
    },
  }, async (request, reply) => {
    const q = request.query;
    const connection = splitList(q.connection);
    await rejectUnknownNames(ctx, { connection });
    let query = db.selectFrom('sync_failures').selectAll();
    if (connection) query = query.where('connection', 'in', connection);
    if (q.before) query = query.where('id', '<', q.before);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    const next = rows.length === q.limit ? Number(rows[rows.length - 1]!.id) : null;
    return sendJson(reply, 200, { data: rows.map(toFailureInfo), next });
  });

  async function failureOf(id: number) {
    const row = await db.selectFrom('sync_failures').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError(404, 'not_found', `no quarantined record ${id}`);
    return row;
  }

  app.post('/v1/failures/:id/retry', {
    schema: {
      tags: ['failures'],
      summary: 'Try a quarantined record again',
      description:
        'Reads the order again from its channel by id where the channel can, otherwise maps the stored raw record again ' +
        '(after a mapping fix). Stored: the quarantine entry is removed. Failed again: it is replaced by the new entry with the new reason.',
      params: failureIdParams,
      response: { 200: retrySchema, ...errors, 422: errorSchema },
    },
  }, async (request, reply) => {
    const row = await failureOf(request.params.id);
    const result = await refetchRecord(ctx, { actor: apiActor(principalOf(request)) }, row.connection, row.external_id, parsePayload(row.payload));
    await db.deleteFrom('sync_failures').where('id', '=', row.id).execute();
    if (result.failures.length === 0) {
      return sendJson(reply, 200, { outcome: 'stored', source: result.source, orderId: result.ids[0] ?? null, failure: null });
    }
    const again = await db.selectFrom('sync_failures').selectAll().where('connection', '=', row.connection).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return sendJson(reply, 200, { outcome: 'failed', source: result.source, orderId: null, failure: again ? toFailureInfo(again) : null });
  });

  app.delete('/v1/failures/:id', {
    schema: {
      tags: ['failures'],
      summary: 'Dismiss a quarantined record (it is deleted; the next sync quarantines it again if the channel still sends it so)',
      params: failureIdParams,
      response: { 204: z.null(), ...errors },
    },
  }, async (request, reply) => {
    const row = await failureOf(request.params.id);
    await db.deleteFrom('sync_failures').where('id', '=', row.id).execute();
    return reply.code(204).send(null);
  });
}
