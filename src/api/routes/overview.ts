/**
 * GET /v1/overview (what the console's first page shows: orders per channel per day, by status, the
 * newest failures and refused write-backs) and GET /v1/events/head (where the change feed is now, so a
 * screen can follow new changes without reading the whole feed first).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { outboxTables } from '../../outbox/tables.ts';
import { toWriteBackInfo } from '../../outbox/store.ts';
import { encodeFeedCursor, journalHead } from '../events.ts';
import { errorSchema, queryInt, writeBackSchema } from '../schemas.ts';
import { sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { failureSchema, toFailureInfo } from './failures.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema };

const overviewQuery = z.object({ days: queryInt(1, 366).default(30) }).strict();

const overviewSchema = z.object({
  from: z.string().describe('first day counted (UTC)'),
  perDay: z.array(z.object({ day: z.string().describe('YYYY-MM-DD, UTC'), channel: z.string(), orders: z.number() })),
  byStatus: z.array(z.object({ status: z.string(), orders: z.number() })),
  failures: z.array(failureSchema).describe('the newest five'),
  refusedWriteBacks: z.array(writeBackSchema).describe('the newest five refused or failed'),
});

export function registerOverviewRoutes(app: ZodApp, ctx: ApiContext): void {
  const { db } = ctx.store;

  app.get('/v1/overview', {
    schema: {
      tags: ['orders'],
      summary: 'Orders per channel per day, orders by status, newest failures and refused write-backs',
      querystring: overviewQuery,
      response: { 200: overviewSchema, ...errors },
    },
  }, async (request, reply) => {
    const start = new Date(Date.now() - (request.query.days - 1) * 86_400_000);
    const from = start.toISOString().slice(0, 10);
    const day = sql<string>`substr(created_at, 1, 10)`;
    const [perDay, byStatus, failures, refused] = await Promise.all([
      db.selectFrom('orders')
        .select([day.as('day'), 'channel', (eb) => eb.fn.countAll<number>().as('n')])
        .where('created_at', '>=', `${from}T00:00:00.000Z`)
        .groupBy([day, 'channel'])
        .orderBy(day)
        .execute(),
      db.selectFrom('orders').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute(),
      db.selectFrom('sync_failures').selectAll().orderBy('id', 'desc').limit(5).execute(),
      outboxTables(db).selectFrom('write_backs').selectAll().where('state', 'in', ['refused', 'failed']).orderBy('updated_at', 'desc').limit(5).execute(),
    ]);
    return sendJson(reply, 200, {
      from,
      perDay: perDay.map((r) => ({ day: r.day, channel: r.channel, orders: Number(r.n) })),
      byStatus: byStatus.map((r) => ({ status: r.status, orders: Number(r.n) })).sort((a, b) => b.orders - a.orders),
      failures: failures.map(toFailureInfo),
      refusedWriteBacks: refused.map(toWriteBackInfo),
    });
  });

  app.get('/v1/events/head', {
    schema: {
      tags: ['events'],
      summary: 'The change feed\'s newest position: ?after=<next> then returns only changes made from now on',
      response: { 200: z.object({ next: z.string(), seq: z.number() }), ...errors },
    },
  }, async (_request, reply) => {
    const seq = await journalHead(db);
    return sendJson(reply, 200, { next: encodeFeedCursor(seq), seq });
  });
}
